package io.objtool.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Instruction types, assembled from source with {@code as}. The expectations were established by
 * running the reference objtool 6.12 on each instruction (dead end or not, ignored when
 * unreachable, "unsupported instruction in callable function", "redundant CLD", ...).
 */
class X86ClassifierTest {

    @BeforeAll
    static void needAs() {
        Asm.require();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        ret                              | RETURN
        ret $8                           | RETURN
        repz ret                         | RETURN
        lret                             | CONTEXT_SWITCH
        lret $8                          | CONTEXT_SWITCH
        jmp .                            | JUMP_UNCONDITIONAL
        jmp .+0x200                      | JUMP_UNCONDITIONAL
        je .                             | JUMP_CONDITIONAL
        jne .+0x300                      | JUMP_CONDITIONAL
        loop .                           | JUMP_CONDITIONAL
        loopne .                         | JUMP_CONDITIONAL
        jrcxz .                          | JUMP_CONDITIONAL
        jecxz .                          | JUMP_CONDITIONAL
        xbegin .                         | OTHER
        call .                           | CALL
        call *%rax                       | CALL_DYNAMIC
        call *0x8(%rax)                  | CALL_DYNAMIC
        call *%r11                       | CALL_DYNAMIC
        lcall *(%rax)                    | CALL_DYNAMIC
        jmp *%rax                        | JUMP_DYNAMIC
        notrack jmp *%rax                | JUMP_DYNAMIC
        jmp *0x0(,%rax,8)                | JUMP_DYNAMIC
        ljmp *(%rax)                     | CONTEXT_SWITCH
        int3                             | TRAP
        int $0x80                        | OTHER
        int1                             | OTHER
        hlt                              | OTHER
        ud2                              | BUG
        ud1 %eax,%eax                    | BUG
        ud1 0x10(%rax),%eax              | BUG
        nop                              | NOP
        xchg %ax,%ax                     | NOP
        pause                            | NOP
        xchg %eax,%r8d                   | NOP
        nopl (%rax)                      | NOP
        nopw 0x0(%rax,%rax,1)            | NOP
        cs nopw 0x0(%rax,%rax,1)         | NOP
        .byte 0x66,0x66,0x2e,0x0f,0x1f,0x84,0,0,0,0,0 | NOP
        prefetchw (%rax)                 | NOP
        prefetchnta (%rax)               | OTHER
        stac                             | STAC
        clac                             | CLAC
        std                              | STD
        cld                              | CLD
        endbr64                          | ENDBR
        endbr32                          | ENDBR
        .byte 0x0f,0x1e,0xc0             | OTHER
        syscall                          | SYSCALL
        sysret                           | SYSRET
        sysretq                          | SYSRET
        sysenter                         | CONTEXT_SWITCH
        sysexit                          | CONTEXT_SWITCH
        .byte 0xf2,0x0f,0x01,0xca        | CONTEXT_SWITCH
        .byte 0xf3,0x0f,0x01,0xca        | CONTEXT_SWITCH
        swapgs                           | OTHER
        mov %rax,%rbx                    | OTHER
        vzeroupper                       | OTHER
        vpxor %ymm0,%ymm1,%ymm2          | OTHER
        """)
    void type(String asm, InsnType expected) {
        byte[] code = Asm.assemble(asm);
        DecodedInsn insn = new DecodedInsn();
        assertTrue(new X86Decoder().decode(code, 0, insn), () -> asm + ": " + insn);
        assertEquals(code.length, insn.length(), asm);
        assertEquals(expected, insn.type(), asm);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        iretq  | OTHER          | 1
        iret   | OTHER          | 1
        """)
    void iretIsAStackOpInsideFunctionsAndAContextSwitchOutside(String asm, InsnType inFunc, int ops) {
        byte[] code = Asm.assemble(asm);
        X86Decoder d = new X86Decoder();
        DecodedInsn insn = new DecodedInsn();
        var seg = java.lang.foreign.MemorySegment.ofArray(code);
        assertTrue(d.decode(seg, 0, code.length, true, insn));
        assertEquals(inFunc, insn.type());
        assertEquals(ops, insn.stackOpCount());
        assertEquals("ADD rsp+40 -> REG rsp", insn.stackOp(0).toString());
        assertTrue(d.decode(seg, 0, code.length, false, insn));
        assertEquals(InsnType.CONTEXT_SWITCH, insn.type());
        assertEquals(0, insn.stackOpCount());
    }
}
