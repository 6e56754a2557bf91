package io.objtool.x86;

import capstone.Capstone;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfSection;
import net.fornwall.jelf.ElfSectionHeader;
import net.fornwall.jelf.ElfSymbol;
import net.fornwall.jelf.ElfSymbolTableSection;

/**
 * Control-flow class parity with capstone 4 (the native {@code libcapstone.so.4}, Debian package
 * {@code libcapstone4}, read through {@link CapstoneNative}; capstone-java's JNA binding gives the
 * same answers but at a few thousand instructions per second). Both decoders walk every function
 * of an object; each instruction's capstone groups (jump, call, ret, iret, int) and our
 * {@link InsnType} are reduced to a {@link CfClass} and compared. Disagreements are tallied by
 * mnemonic; the expected ones are listed in {@link #EXPLAINED} and tested one by one.
 */
public final class CapstoneParity {

    /** Coarse control-flow class both decoders can be reduced to. */
    public enum CfClass { NONE, JUMP, CALL, RET, IRET, INT }

    /**
     * Disagreements that are by design: capstone mnemonic -> pattern of "capstone/ours" (class or
     * "lenA/B") and the reason, taken
     * from what the reference objtool 6.12 does with the instruction.
     */
    public static final Map<String, String[]> EXPLAINED = Map.ofEntries(
            Map.entry("retf", new String[] {"RET/IRET",
                "far return: objtool calls lret a context switch, not a function return"}),
            Map.entry("iretq", new String[] {"IRET/NONE",
                "iret inside an STT_FUNC is sync_core()'s IRET-to-self: objtool models it as add $40,%rsp"}),
            Map.entry("iretd", new String[] {"IRET/NONE",
                "iret inside an STT_FUNC is sync_core()'s IRET-to-self: objtool models it as add $40,%rsp"}),
            Map.entry("syscall", new String[] {"INT/IRET",
                "capstone files syscall under int; objtool treats it like a context switch (INSN_SYSCALL)"}),
            Map.entry("sysenter", new String[] {"INT/IRET",
                "capstone files sysenter under int; objtool: context switch"}),
            Map.entry("xbegin", new String[] {"JUMP/NONE",
                "objtool does not follow the transaction-abort edge of xbegin"}),
            Map.entry("ljmp", new String[] {"JUMP/IRET",
                "ljmp *mem: objtool 6.12 reports it as an unsupported context switch"}),
            Map.entry("int", new String[] {"INT/NONE",
                "int $n is INSN_OTHER for objtool; only int3 is a trap"}),
            Map.entry("int1", new String[] {"INT/NONE",
                "int1 (icebp) is INSN_OTHER for objtool; only int3 is a trap"}),
            Map.entry("loop", new String[] {"NONE/JUMP",
                "capstone 4 leaves loop out of the jump group; objtool 6.12 follows it as a conditional jump"}),
            Map.entry("loope", new String[] {"NONE/JUMP",
                "capstone 4 leaves loope out of the jump group; objtool 6.12 follows it as a conditional jump"}),
            Map.entry("loopne", new String[] {"NONE/JUMP",
                "capstone 4 leaves loopne out of the jump group; objtool 6.12 follows it as a conditional jump"}),
            Map.entry("(capstone-invalid)", new String[] {"OTHER",
                "encodings capstone 4 cannot decode (movdir64b/enqcmd(s) 0f 38 f8, newer EVEX/VEX forms such as"
                    + " VAES and VPCLMULQDQ); objdump agrees on their length, objtool 6.12 calls them INSN_OTHER"}),
            Map.entry("into", new String[] {"INT/NONE", "into is invalid in 64-bit mode"}),
            Map.entry("ud2b", new String[] {"len2/\\d+",
                "capstone 4 decodes ud1 (0f b9) without its ModRM operand; objdump and objtool 6.12 include it"}));

    /** Our class for a decoded instruction. */
    public static CfClass ours(DecodedInsn insn) {
        return switch (insn.type()) {
            case JUMP_CONDITIONAL, JUMP_UNCONDITIONAL, JUMP_DYNAMIC, JUMP_DYNAMIC_CONDITIONAL -> CfClass.JUMP;
            case CALL, CALL_DYNAMIC -> CfClass.CALL;
            case RETURN -> CfClass.RET;
            case CONTEXT_SWITCH, SYSCALL, SYSRET -> CfClass.IRET;
            case TRAP -> CfClass.INT;
            default -> CfClass.NONE;
        };
    }

    /** Capstone's class from its group list (checked in order iret, ret, call, jump, int). */
    public static CfClass capstone(java.util.function.IntPredicate inGroup) {
        return inGroup.test(Capstone.CS_GRP_IRET) ? CfClass.IRET
                : inGroup.test(Capstone.CS_GRP_RET) ? CfClass.RET
                : inGroup.test(Capstone.CS_GRP_CALL) ? CfClass.CALL
                : inGroup.test(Capstone.CS_GRP_JUMP) ? CfClass.JUMP
                : inGroup.test(Capstone.CS_GRP_INT) ? CfClass.INT
                : CfClass.NONE;
    }

    /** Capstone's class of a capstone-java instruction. */
    public static CfClass capstone(Capstone.CsInsn i) {
        return capstone(g -> {
            for (byte b : i.groups) {
                if (b == g) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Tallies: compared instructions, and disagreements keyed "mnemonic capstone/ours" or "len ...". */
    public static final class Tally {
        long insns;
        long capstoneInvalid;
        final Map<String, Long> disagreements = new TreeMap<>();

        void add(String key) {
            disagreements.merge(key, 1L, Long::sum);
        }

        /** Disagreements not in {@link #EXPLAINED}. */
        public Map<String, Long> unexplained() {
            Map<String, Long> out = new TreeMap<>();
            disagreements.forEach((k, v) -> {
                String[] parts = k.split(" ");
                String[] e = EXPLAINED.get(parts[0]);
                if (e == null || !parts[1].matches(e[0])) {
                    out.put(k, v);
                }
            });
            return out;
        }

        @Override
        public String toString() {
            return "insns=" + insns + " capstoneInvalid=" + capstoneInvalid + " disagreements=" + disagreements;
        }
    }

    /** Compares all function symbols of one object. */
    public static void compare(Path file, CapstoneNative cs, Tally t) throws Exception {
        ElfFile elf = ElfFile.from(Files.readAllBytes(file));
        ElfSymbolTableSection symtab = elf.getSymbolTableSection();
        if (symtab == null) {
            return;
        }
        X86Decoder dec = new X86Decoder();
        DecodedInsn insn = new DecodedInsn();
        try (Arena arena = Arena.ofConfined()) {
            Map<Integer, MemorySegment> data = new TreeMap<>();
            for (ElfSymbol sym : symtab.symbols) {
                int shndx = sym.st_shndx & 0xffff;
                if (sym.getType() != ElfSymbol.STT_FUNC || sym.st_size == 0 || shndx == 0
                        || shndx >= (elf.e_shnum & 0xffff)) {
                    continue;
                }
                ElfSection sec = elf.getSection(shndx);
                if ((sec.header.sh_flags & ElfSectionHeader.FLAG_EXEC_INSTR) == 0
                        || sec.header.sh_type != ElfSectionHeader.SHT_PROGBITS) {
                    continue;
                }
                MemorySegment code = data.computeIfAbsent(shndx, k -> {
                    byte[] b = sec.getData();
                    MemorySegment m = arena.allocate(Math.max(1, b.length));
                    MemorySegment.copy(MemorySegment.ofArray(b), 0, m, 0, b.length);
                    return m;
                });
                long end = Math.min(code.byteSize(), sym.st_value + sym.st_size);
                compareRange(code, sym.st_value, end, cs, dec, insn, t);
            }
        }
    }

    /** Walks {@code [start, end)} of native memory with both decoders, in lock step. */
    static void compareRange(MemorySegment code, long start, long end, CapstoneNative cs, X86Decoder dec,
                             DecodedInsn insn, Tally t) {
        long off = start;
        while (off < end) {
            dec.decode(code, off, end, true, insn);
            int len = insn.ok() ? insn.length() : 1;
            int clen = cs.disasm(code, off, end);
            t.insns++;
            if (clen == 0) {
                t.capstoneInvalid++;
                t.add("(capstone-invalid) " + (insn.ok() ? insn.type() : insn.status()) + " map" + insn.opcodeMap()
                        + ":" + Integer.toHexString(insn.opcode()));
            } else if (clen != len) {
                t.add(cs.mnemonic() + " len" + clen + "/" + len);
            } else {
                CfClass a = capstone(cs::inGroup);
                CfClass b = ours(insn);
                if (a != b) {
                    t.add(cs.mnemonic() + " " + a + "/" + b);
                }
            }
            off += len;
        }
    }

    /** {@code main(dir-or-files... [--every N])}: compares every Nth object (default 1). */
    public static void main(String[] args) throws Exception {
        int every = 1;
        List<Path> roots = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--every")) {
                every = Integer.parseInt(args[++i]);
            } else {
                roots.add(Path.of(args[i]));
            }
        }
        List<Path> files = ObjdumpParity.objects(roots);
        Tally t = new Tally();
        long t0 = System.nanoTime();
        int n = 0;
        try (CapstoneNative cs = new CapstoneNative()) {
            for (int i = 0; i < files.size(); i += every) {
                compare(files.get(i), cs, t);
                n++;
            }
        }
        System.out.printf("objects=%d %s (%.1f s)%n", n, t, (System.nanoTime() - t0) / 1e9);
        System.out.println("unexplained=" + t.unexplained());
        System.exit(t.unexplained().isEmpty() ? 0 : 1);
    }

    private CapstoneParity() {
    }
}
