package io.objtool.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.DecodedInsn;
import io.objtool.testkit.Oracles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Control-flow class parity with capstone: every disagreement listed in
 * {@link CapstoneParity#EXPLAINED} is reproduced here on assembled bytes, and a corpus sample has
 * no other. Needs libcapstone4 (skipped otherwise).
 */
class CapstoneParityTest {

    @BeforeAll
    static void needCapstone() {
        Oracles.require(CapstoneNative.available(), "libcapstone.so.4 (Debian: libcapstone4)");
    }

    private record Both(String mnemonic, String capstone, String ours) {
    }

    private static Both both(String asm, boolean inFunction) {
        byte[] b = Asm.assemble(asm);
        try (Arena arena = Arena.ofConfined(); CapstoneNative cs = new CapstoneNative()) {
            MemorySegment code = arena.allocate(b.length);
            MemorySegment.copy(MemorySegment.ofArray(b), 0, code, 0, b.length);
            DecodedInsn insn = new DecodedInsn();
            new X86Decoder().decode(code, 0, b.length, inFunction, insn);
            int clen = cs.disasm(code, 0, b.length);
            assertTrue(clen > 0, asm);
            if (clen != insn.length()) {
                return new Both(cs.mnemonic(), "len" + clen, "len" + insn.length());
            }
            return new Both(cs.mnemonic(), CapstoneParity.capstone(cs::inGroup).name(),
                    CapstoneParity.ours(insn).name());
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
        lret             | far return is a context switch for objtool
        iretq            | IRET-to-self inside a function is a stack op
        syscall          | syscall: capstone int group, objtool context switch
        sysenter         | sysenter: capstone int group, objtool context switch
        xbegin .         | objtool does not follow the abort edge
        ljmp *(%rax)     | ljmp *mem is a context switch for objtool
        int $0x80        | only int3 is a trap
        int1             | only int3 is a trap
        ud1 %eax,%eax    | capstone 4 drops ud1's ModRM
        loop .           | capstone 4 has no jump group on loop
        loope .          | capstone 4 has no jump group on loope
        loopne .         | capstone 4 has no jump group on loopne
        """)
    void explainedDisagreement(String asm, String why) {
        Asm.require();
        Both b = both(asm, true);
        assertNotEquals(b.capstone(), b.ours(), asm);
        String[] explained = CapstoneParity.EXPLAINED.get(b.mnemonic());
        assertTrue(explained != null, () -> "no explanation for " + b);
        String key = b.capstone().startsWith("len") ? b.capstone() + "/" + b.ours().substring(3)
                : b.capstone() + "/" + b.ours();
        assertTrue(key.matches(explained[0]), () -> key + " vs " + explained[0]);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        movdir64b (%rax),%rdx
        enqcmds (%rax),%rdx
        enqcmd (%rax),%rdx
        """)
    void capstoneLacksNewerInstructions(String asm) {
        Asm.require();
        byte[] b = Asm.assemble(asm);
        try (Arena arena = Arena.ofConfined(); CapstoneNative cs = new CapstoneNative()) {
            MemorySegment code = arena.allocate(b.length);
            MemorySegment.copy(MemorySegment.ofArray(b), 0, code, 0, b.length);
            assertEquals(0, cs.disasm(code, 0, b.length), "capstone 4 learned " + asm);
            DecodedInsn insn = new DecodedInsn();
            assertTrue(new X86Decoder().decode(code, 0, b.length, true, insn));
            assertEquals(b.length, insn.length());
            assertTrue(insn.type().name().matches(CapstoneParity.EXPLAINED.get("(capstone-invalid)")[0]));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        ret              | RET
        ret $8           | RET
        call .           | CALL
        call *%rax       | CALL
        lcall *(%rax)    | CALL
        jmp .            | JUMP
        jmp *%rax        | JUMP
        je .             | JUMP
        jrcxz .          | JUMP
        int3             | INT
        sysret           | IRET
        sysexit          | IRET
        ud2              | NONE
        nop              | NONE
        push %rbp        | NONE
        """)
    void agreements(String asm, String cls) {
        Asm.require();
        Both b = both(asm, true);
        assertEquals(cls, b.capstone(), asm);
        assertEquals(cls, b.ours(), asm);
    }

    @Test
    void capstoneJavaAgreesWithTheNativeStructReader() {
        // validates CapstoneNative's struct offsets against the JNA binding
        byte[] code = {(byte) 0xe8, 0, 0, 0, 0, (byte) 0xc3, (byte) 0xcc, 0x0f, 0x05, (byte) 0xeb, (byte) 0xfe};
        capstone.Capstone cj = new capstone.Capstone(capstone.Capstone.CS_ARCH_X86, capstone.Capstone.CS_MODE_64);
        cj.setDetail(capstone.Capstone.CS_OPT_ON);
        capstone.Capstone.CsInsn[] ins = cj.disasm(code, 0);
        try (Arena arena = Arena.ofConfined(); CapstoneNative cs = new CapstoneNative()) {
            MemorySegment m = arena.allocate(code.length);
            MemorySegment.copy(MemorySegment.ofArray(code), 0, m, 0, code.length);
            long off = 0;
            for (capstone.Capstone.CsInsn i : ins) {
                assertEquals(i.size, cs.disasm(m, off, code.length));
                assertEquals(i.mnemonic, cs.mnemonic());
                assertEquals(CapstoneParity.capstone(i), CapstoneParity.capstone(cs::inGroup));
                off += i.size;
            }
            assertEquals(code.length, off);
        } finally {
            cj.close();
        }
    }

    @Test
    void sampleOfTheCorpusHasNoUnexplainedDisagreement() throws Exception {
        Corpus.require();
        CapstoneParity.Tally t = new CapstoneParity.Tally();
        try (CapstoneNative cs = new CapstoneNative()) {
            for (Path p : Corpus.sample(50)) {
                CapstoneParity.compare(p, cs, t);
            }
        }
        System.out.println("capstone parity on a corpus sample: " + t);
        assertTrue(t.insns > 50_000, t::toString);
        long unexplained = t.unexplained().values().stream().mapToLong(Long::longValue).sum();
        Oracles.tally("capstone-class", "instructions' control-flow classes, or an explained difference (capstone 4, every 50th corpus module)")
                .add(t.insns, t.insns - unexplained);
        assertEquals(java.util.Map.of(), t.unexplained(), t::toString);
    }
}
