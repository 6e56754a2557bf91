package io.objtool.api.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DecodedInsnTest {

    @Test
    void stackOpsRoundTripAndResetClearsEverything() {
        DecodedInsn d = new DecodedInsn();
        d.setResult(DecodeStatus.OK, 1);
        d.setType(InsnType.OTHER);
        d.addStackOp(OpSrcType.REG, CfiRegs.BP, 0, OpDestType.REG, CfiRegs.SP, 0);
        d.addStackOp(OpSrcType.POP, 0, 0, OpDestType.REG, CfiRegs.BP, 0);
        assertEquals(2, d.stackOpCount());
        assertEquals(List.of(new StackOp(OpDestType.REG, CfiRegs.SP, 0, OpSrcType.REG, CfiRegs.BP, 0),
                new StackOp(OpDestType.REG, CfiRegs.BP, 0, OpSrcType.POP, 0, 0)), d.stackOps());
        assertEquals("REG rbp -> REG rsp", d.stackOp(0).toString());
        assertThrows(IndexOutOfBoundsException.class, () -> d.stackOp(2));
        d.setImmediate(-8);
        assertTrue(d.has(DecodedInsn.F_IMMEDIATE));
        d.reset();
        assertFalse(d.ok());
        assertEquals(0, d.stackOpCount());
        assertEquals(0, d.flags());
        assertEquals(-1, d.modrm());
    }

    @Test
    void tooManyStackOpsIsAnError() {
        DecodedInsn d = new DecodedInsn();
        for (int i = 0; i < DecodedInsn.MAX_STACK_OPS; i++) {
            d.addStackOp(OpSrcType.CONST, 0, 0, OpDestType.PUSH, 0, 0);
        }
        assertThrows(IllegalStateException.class, () -> d.addStackOp(OpSrcType.CONST, 0, 0, OpDestType.PUSH, 0, 0));
    }

    @Test
    void branchTargetIsOffsetPlusLengthPlusImmediate() {
        DecodedInsn d = new DecodedInsn();
        d.setResult(DecodeStatus.OK, 5);
        d.setType(InsnType.CALL);
        d.setImmediate(0x20);
        assertEquals(0x125, d.branchTarget(0x100));
        assertTrue(d.type().isDirectBranch());
        assertFalse(InsnType.CALL_DYNAMIC.isDirectBranch());
    }

    @Test
    void registerNumberingFollowsObjtool() {
        String[] names = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(names[i], CfiRegs.name(i));
        }
        assertEquals(CfiRegs.NUM_REGS, names.length);
        assertEquals("cfa", CfiRegs.name(CfiRegs.CFA));
        assertEquals(InsnType.values().length, 19);
    }
}
