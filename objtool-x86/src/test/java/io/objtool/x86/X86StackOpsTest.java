package io.objtool.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.StackOp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stack ops per instruction form, assembled with {@code as}. Expected ops are written as
 * {@code "SRC reg+off -> DEST reg+off"}, several separated by {@code ';'}; "-" means none.
 * Which forms produce ops (and which do not: the 8b register move, enter, xchg, or) was checked
 * against the reference objtool 6.12's ORC output and warnings.
 */
class X86StackOpsTest {

    @BeforeAll
    static void needAs() {
        Asm.require();
    }

    private static List<String> ops(String asm) {
        byte[] code = Asm.assemble(asm);
        DecodedInsn insn = new DecodedInsn();
        assertTrue(new X86Decoder().decode(code, 0, insn), () -> asm + ": " + insn);
        assertEquals(code.length, insn.length(), asm);
        List<String> out = new ArrayList<>();
        for (StackOp op : insn.stackOps()) {
            out.add(op.toString());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        push %rbp                  | REG rbp -> PUSH rax
        push %r12                  | REG r12 -> PUSH rax
        pop %rbp                   | POP rax -> REG rbp
        pop %r15                   | POP rax -> REG r15
        push $0                    | CONST rax -> PUSH rax
        push $0x12345              | CONST rax -> PUSH rax
        pushq -0x8(%r10)           | CONST rax -> PUSH rax
        pushq 0x10(%rsp)           | CONST rax -> PUSH rax
        popq 0x8(%rax)             | POP rax -> MEM rax
        pushf                      | CONST rax -> PUSHF rax
        popf                       | POPF rax -> MEM rax
        push %fs                   | CONST rax -> PUSH rax
        pop %gs                    | POP rax -> MEM rax
        sub $0x20,%rsp             | ADD rsp-32 -> REG rsp
        sub $0x1000,%rsp           | ADD rsp-4096 -> REG rsp
        add $0x20,%rsp             | ADD rsp+32 -> REG rsp
        add $-8,%rsp               | ADD rsp-8 -> REG rsp
        and $-16,%rsp              | AND rsp-16 -> REG rsp
        and $0xffffffffffffffc0,%rsp | AND rsp-64 -> REG rsp
        add %rax,%rsp              | ADD rax -> REG rsp
        sub %rax,%rsp              | ADD rax -> REG rsp
        mov %rsp,%rbp              | REG rsp -> REG rbp
        mov %rbp,%rsp              | REG rbp -> REG rsp
        mov %rsp,%r12              | REG rsp -> REG r12
        mov %r10,%rsp              | REG r10 -> REG rsp
        mov %rbx,%r12              | REG rbx -> REG r12
        mov %rbx,0x8(%rsp)         | REG rbx -> REG_INDIRECT rsp+8
        mov %r12,-0x10(%rbp)       | REG r12 -> REG_INDIRECT rbp-16
        mov %rax,(%rsp)            | REG rax -> REG_INDIRECT rsp
        mov 0x8(%rsp),%rbx         | REG_INDIRECT rsp+8 -> REG rbx
        mov -0x10(%rbp),%r12       | REG_INDIRECT rbp-16 -> REG r12
        lea 0x8(%rsp),%r10         | ADD rsp+8 -> REG r10
        lea -0x8(%r10),%rsp        | ADD r10-8 -> REG rsp
        lea -0x8(%rbp),%rsp        | ADD rbp-8 -> REG rsp
        lea 0x10(%rsp),%rsp        | ADD rsp+16 -> REG rsp
        lea (%rsi),%rdi            | ADD rsi -> REG rdi
        leave                      | REG rbp -> REG rsp;POP rax -> REG rbp
        """)
    void opsPerForm(String asm, String expected) {
        assertEquals(List.of(expected.split(";")), ops(asm), asm);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        mov %rbx,0x8(%rax)         | false
        mov 0x8(%rax),%rbx         | false
        mov %rbx,0x8(%rsp,%rax,8)  | false
        lea 0x8(%rsp,%rax,1),%rax  | false
        lea 0x0(%rip),%rax         | false
        mov %ebx,0x8(%rsp)         | false
        lea 0x8(%esp),%eax         | false
        call *%rax                 | false
        ret                        | false
        sub $8,%esp                | true
        enter $16,$0               | true
        xchg %rax,%rsp             | true
        xchg %rsp,%rbx             | true
        or $8,%rsp                 | true
        mov $5,%rsp                | true
        movabs $0x123456789,%rsp   | true
        .byte 0x48,0x8b,0xe0       | true
        mov (%rax),%rsp            | true
        inc %rsp                   | true
        neg %rsp                   | true
        shl $3,%rsp                | true
        xor %rax,%rsp              | true
        cmp $8,%rsp                | false
        test %rsp,%rsp             | false
        """)
    void formsWithoutOps(String asm, boolean unmodelledSpWrite) {
        byte[] code = Asm.assemble(asm);
        DecodedInsn insn = new DecodedInsn();
        assertTrue(new X86Decoder().decode(code, 0, insn), asm);
        assertEquals(0, insn.stackOpCount(), () -> asm + ": " + insn);
        assertEquals(unmodelledSpWrite, insn.has(DecodedInsn.F_UNMODELLED_SP_WRITE), asm);
    }

    /** Decodes a whole snippet and returns one line of ops per instruction. */
    private static List<String> sequence(String asm) {
        byte[] code = Asm.assemble(asm);
        X86Decoder d = new X86Decoder();
        DecodedInsn insn = new DecodedInsn();
        List<String> lines = new ArrayList<>();
        for (int off = 0; off < code.length; off += insn.length()) {
            assertTrue(d.decode(code, off, insn), () -> asm + ": " + insn);
            lines.add(insn.type() + " " + insn.stackOps());
        }
        return lines;
    }

    @Test
    void framePointerPrologueAndLeave() {
        assertEquals(List.of(
                "OTHER [REG rbp -> PUSH rax]",
                "OTHER [REG rsp -> REG rbp]",
                "OTHER [ADD rsp-16 -> REG rsp]",
                "NOP []",
                "OTHER [REG rbp -> REG rsp, POP rax -> REG rbp]",
                "RETURN []"),
                sequence("push %rbp; mov %rsp,%rbp; sub $0x10,%rsp; nop; leave; ret"));
    }

    @Test
    void drapRealignmentSequence() {
        assertEquals(List.of(
                "OTHER [ADD rsp+8 -> REG r10]",
                "OTHER [AND rsp-16 -> REG rsp]",
                "OTHER [CONST rax -> PUSH rax]",
                "OTHER [REG rbp -> PUSH rax]",
                "OTHER [REG rsp -> REG rbp]",
                "OTHER [REG r10 -> PUSH rax]",
                "OTHER [ADD rsp-32 -> REG rsp]",
                "OTHER [ADD rbp-8 -> REG rsp]",
                "OTHER [POP rax -> REG r10]",
                "OTHER [POP rax -> REG rbp]",
                "OTHER [ADD r10-8 -> REG rsp]",
                "RETURN []"),
                sequence("lea 0x8(%rsp),%r10; and $-16,%rsp; pushq -0x8(%r10); push %rbp; mov %rsp,%rbp;"
                        + "push %r10; sub $0x20,%rsp; lea -0x8(%rbp),%rsp; pop %r10; pop %rbp;"
                        + "lea -0x8(%r10),%rsp; ret"));
    }

    @Test
    void frameTeardownWithMovAndPopfPairs() {
        assertEquals(List.of(
                "OTHER [REG rbp -> PUSH rax]",
                "OTHER [REG rsp -> REG rbp]",
                "OTHER [CONST rax -> PUSHF rax]",
                "OTHER [POPF rax -> MEM rax]",
                "OTHER [REG rbp -> REG rsp]",
                "OTHER [POP rax -> REG rbp]",
                "RETURN []"),
                sequence("push %rbp; mov %rsp,%rbp; pushf; popf; mov %rbp,%rsp; pop %rbp; ret"));
    }

    @Test
    void enterIsNotModelled() {
        List<String> s = sequence("enter $0x10,$0; leave; ret");
        assertEquals("OTHER []", s.get(0));
        assertFalse(s.get(1).equals("OTHER []"));
    }
}
