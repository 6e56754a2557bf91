package io.objtool.x86;

import io.objtool.api.arch.DecodedInsn;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfSection;
import net.fornwall.jelf.ElfSectionHeader;
import net.fornwall.jelf.ElfSymbol;
import net.fornwall.jelf.ElfSymbolTableSection;

/**
 * Length and branch-target parity with GNU objdump. For each executable section of an object it
 * runs {@code objdump -d -z -w}, then decodes linearly from the start of every function symbol to
 * its end with {@link X86Decoder}, checking that every instruction starts where objdump's does,
 * has the same length and, for direct branches, the same target. It also decodes at every other
 * objdump instruction start (padding, alternatives, code without symbols).
 *
 * <p>{@code main(dir-or-files... [--threads N])} runs over a whole corpus and prints totals.
 */
public final class ObjdumpParity {

    /** Totals for one or more objects. */
    public static final class Result {
        long objects;
        long functionInsns;
        long otherInsns;
        long mismatches;
        final List<String> samples = new ArrayList<>();

        synchronized void add(Result r) {
            objects += r.objects;
            functionInsns += r.functionInsns;
            otherInsns += r.otherInsns;
            mismatches += r.mismatches;
            for (String s : r.samples) {
                if (samples.size() < 50) {
                    samples.add(s);
                }
            }
        }

        void mismatch(String s) {
            mismatches++;
            if (samples.size() < 20) {
                samples.add(s);
            }
        }

        @Override
        public String toString() {
            return "objects=" + objects + " functionInsns=" + functionInsns + " otherInsns=" + otherInsns
                    + " mismatches=" + mismatches;
        }
    }

    /** What objdump says about one section: per offset, instruction length (0 = no insn start) and target. */
    static final class Listing {
        final int[] len;
        final long[] target; // Long.MIN_VALUE = none
        final boolean[] bad;

        Listing(int size) {
            len = new int[size];
            target = new long[size];
            bad = new boolean[size];
            java.util.Arrays.fill(target, Long.MIN_VALUE);
        }
    }

    private static final Set<String> PREFIX_WORDS = Set.of("data16", "addr32", "cs", "ds", "es", "ss", "fs",
            "gs", "lock", "rep", "repz", "repnz", "repe", "repne", "bnd", "notrack", "xacquire", "xrelease");

    /** Compares one object file. */
    public static Result compare(Path file) throws IOException, InterruptedException {
        Result r = new Result();
        r.objects = 1;
        ElfFile elf = ElfFile.from(Files.readAllBytes(file));
        Map<String, Integer> execSections = new HashMap<>();
        Map<Integer, ElfSection> byIndex = new HashMap<>();
        for (int i = 0; i < (elf.e_shnum & 0xffff); i++) {
            ElfSection s = elf.getSection(i);
            ElfSectionHeader h = s.header;
            if (h.sh_type == ElfSectionHeader.SHT_PROGBITS && (h.sh_flags & ElfSectionHeader.FLAG_EXEC_INSTR) != 0
                    && h.sh_size > 0) {
                execSections.put(h.getName(), i);
                byIndex.put(i, s);
            }
        }
        if (execSections.isEmpty()) {
            return r;
        }
        Map<String, Listing> listings = runObjdump(file, execSections, byIndex);
        X86Decoder dec = new X86Decoder();
        DecodedInsn insn = new DecodedInsn();
        Map<Integer, boolean[]> covered = new HashMap<>();
        ElfSymbolTableSection symtab = elf.getSymbolTableSection();
        String fname = file.getFileName().toString();
        if (symtab != null) {
            for (ElfSymbol sym : symtab.symbols) {
                int shndx = sym.st_shndx & 0xffff;
                if (sym.getType() != ElfSymbol.STT_FUNC || sym.st_size == 0 || !byIndex.containsKey(shndx)) {
                    continue;
                }
                ElfSection sec = byIndex.get(shndx);
                Listing l = listings.get(sec.header.getName());
                byte[] data = sec.getData();
                MemorySegment seg = MemorySegment.ofArray(data);
                boolean[] cov = covered.computeIfAbsent(shndx, k -> new boolean[data.length]);
                long end = Math.min(data.length, sym.st_value + sym.st_size);
                long off = sym.st_value;
                while (off < end) {
                    r.functionInsns++;
                    String where = fname + ":" + sec.header.getName() + "+0x" + Long.toHexString(off)
                            + " (" + sym.getName() + ")";
                    if (!check(dec, insn, seg, off, data.length, l, where, r)) {
                        break; // lost sync: one mismatch per function
                    }
                    cov[(int) off] = true;
                    off += insn.length();
                }
            }
        }
        // every other objdump instruction start
        for (var e : execSections.entrySet()) {
            ElfSection sec = byIndex.get(e.getValue());
            Listing l = listings.get(e.getKey());
            byte[] data = sec.getData();
            MemorySegment seg = MemorySegment.ofArray(data);
            boolean[] cov = covered.get(e.getValue());
            for (int off = 0; off < data.length; off++) {
                if (l.len[off] == 0 || cov != null && cov[off]) {
                    continue;
                }
                r.otherInsns++;
                check(dec, insn, seg, off, data.length, l, fname + ":" + e.getKey() + "+0x" + Integer.toHexString(off), r);
            }
        }
        return r;
    }

    private static boolean check(X86Decoder dec, DecodedInsn insn, MemorySegment seg, long off, long size,
                                 Listing l, String where, Result r) {
        dec.decode(seg, off, size, true, insn);
        int want = l.len[(int) off];
        if (want == 0) {
            r.mismatch(where + ": objdump has no instruction here; we decoded " + insn);
            return false;
        }
        if (l.bad[(int) off]) {
            // objtool's decoder (and so ours, flagged) takes some of objdump's "(bad)" opcodes
            if (insn.ok() && !insn.has(DecodedInsn.F_UNDEFINED)) {
                r.mismatch(where + ": objdump says (bad), we decoded " + insn + " bytes=" + hex(seg, off, want));
            }
            return insn.ok() && insn.length() == want;
        }
        if (!insn.ok() || insn.length() != want) {
            r.mismatch(where + ": objdump len " + want + ", we " + insn + " bytes=" + hex(seg, off, Math.max(want, insn.length())));
            return false;
        }
        long ours = Long.MIN_VALUE;
        if (insn.type().isDirectBranch() || insn.opcodeMap() == 0 && insn.opcode() == 0xc7 && insn.modrm() == 0xf8
                && !insn.has(DecodedInsn.F_VEX)) {
            ours = insn.branchTarget(off);
        }
        long theirs = l.target[(int) off];
        if (ours != theirs) {
            r.mismatch(where + ": objdump target " + (theirs == Long.MIN_VALUE ? "none" : Long.toHexString(theirs))
                    + ", we " + (ours == Long.MIN_VALUE ? "none" : Long.toHexString(ours)) + " " + insn
                    + " bytes=" + hex(seg, off, want));
        }
        return true;
    }

    private static String hex(MemorySegment seg, long off, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n && off + i < seg.byteSize(); i++) {
            sb.append(String.format("%02x", seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i) & 0xff));
        }
        return sb.toString();
    }

    private static Map<String, Listing> runObjdump(Path file, Map<String, Integer> execSections,
                                                   Map<Integer, ElfSection> byIndex) throws IOException, InterruptedException {
        Map<String, Listing> out = new HashMap<>();
        for (var e : execSections.entrySet()) {
            out.put(e.getKey(), new Listing((int) byIndex.get(e.getValue()).header.sh_size));
        }
        Process p = new ProcessBuilder("objdump", "-d", "-z", "-w", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
            Listing cur = null;
            String line;
            while ((line = br.readLine()) != null) {
                if (line.startsWith("Disassembly of section ")) {
                    String name = line.substring("Disassembly of section ".length(), line.length() - 1);
                    cur = out.get(name);
                    continue;
                }
                if (cur == null || line.isEmpty() || line.charAt(0) != ' ') {
                    continue;
                }
                parseInsnLine(line, cur);
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("objdump failed on " + file);
        }
        return out;
    }

    /** Parses {@code "  1d:\te8 00 00 00 00 \tcall   22 <f+0x22>"}. */
    static void parseInsnLine(String line, Listing cur) {
        int colon = line.indexOf(':');
        int tab1 = line.indexOf('\t', colon);
        if (colon < 0 || tab1 < 0) {
            return;
        }
        long addr;
        try {
            addr = Long.parseLong(line.substring(0, colon).trim(), 16);
        } catch (NumberFormatException ex) {
            return;
        }
        int tab2 = line.indexOf('\t', tab1 + 1);
        String bytes = tab2 < 0 ? line.substring(tab1 + 1) : line.substring(tab1 + 1, tab2);
        int n = 0;
        for (int i = 0; i + 1 < bytes.length(); i += 3) {
            if (bytes.charAt(i) == ' ') {
                break;
            }
            n++;
        }
        if (addr < 0 || addr >= cur.len.length || n == 0) {
            return;
        }
        cur.len[(int) addr] = n;
        String text = tab2 < 0 ? "" : line.substring(tab2 + 1).trim();
        if (text.startsWith("(bad)")) {
            cur.bad[(int) addr] = true;
            return;
        }
        String[] tok = text.split("\\s+");
        int i = 0;
        while (i < tok.length && (PREFIX_WORDS.contains(tok[i]) || tok[i].startsWith("rex"))) {
            i++;
        }
        if (i + 1 >= tok.length) {
            return;
        }
        String mn = tok[i];
        if (mn.startsWith("j") || mn.startsWith("call") || mn.startsWith("loop") || mn.startsWith("xbegin")) {
            String t = tok[i + 1];
            if (!t.isEmpty() && Character.digit(t.charAt(0), 16) >= 0 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                cur.target[(int) addr] = Long.parseUnsignedLong(t, 16);
            }
        }
    }

    /** All {@code *.ko} / {@code *.o} files under the given paths. */
    static List<Path> objects(List<Path> roots) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    s.filter(p -> p.toString().endsWith(".ko") || p.toString().endsWith(".o")).sorted().forEach(files::add);
                }
            } else {
                files.add(root);
            }
        }
        return files;
    }

    /** Compares many objects with {@code threads} workers. */
    public static Result compareAll(List<Path> files, int threads) throws Exception {
        Result total = new Result();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Result>> fs = new ArrayList<>();
            for (Path f : files) {
                fs.add(pool.submit(() -> compare(f)));
            }
            int done = 0;
            for (Future<Result> f : fs) {
                total.add(f.get());
                if (++done % 200 == 0) {
                    System.err.println(done + "/" + files.size() + " " + total);
                }
            }
        } finally {
            pool.shutdown();
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        int threads = 2;
        List<Path> roots = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) {
                threads = Integer.parseInt(args[++i]);
            } else {
                roots.add(Path.of(args[i]));
            }
        }
        long t0 = System.nanoTime();
        List<Path> files = objects(roots);
        Result r = compareAll(files, threads);
        for (String s : r.samples) {
            System.out.println("MISMATCH " + s);
        }
        System.out.printf("%s (%.1f s)%n", r, (System.nanoTime() - t0) / 1e9);
        System.exit(r.mismatches == 0 ? 0 : 1);
    }

    private ObjdumpParity() {
    }

}
