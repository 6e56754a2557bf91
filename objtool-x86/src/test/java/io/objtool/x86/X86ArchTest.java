package io.objtool.x86;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.Arch;
import io.objtool.api.arch.Architectures;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.CfiRule;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InitialCfi;
import io.objtool.api.arch.InsnType;
import org.junit.jupiter.api.Test;

class X86ArchTest {

    @Test
    void foundThroughServiceLoader() {
        Arch a = Architectures.forElfMachine(62).orElseThrow();
        assertInstanceOf(X86Arch.class, a);
        assertEquals("x86_64", a.name());
        assertTrue(Architectures.forName("x86_64").isPresent());
        assertFalse(Architectures.forElfMachine(183).isPresent());
    }

    @Test
    void initialCfiIsRspPlus8WithReturnAddressAtCfaMinus8() {
        InitialCfi cfi = new X86Arch().initialFunctionCfi();
        assertEquals(new CfiRule(CfiRegs.SP, 8), cfi.cfa());
        assertEquals(new CfiRule(CfiRegs.CFA, -8), cfi.reg(CfiRegs.RA));
        assertEquals(CfiRegs.NUM_REGS, cfi.regs().size());
        for (int r = 0; r < CfiRegs.RA; r++) {
            assertEquals(CfiRule.UNDEFINED, cfi.reg(r));
        }
    }

    @Test
    void calleeSavedRegisters() {
        X86Arch a = new X86Arch();
        int n = 0;
        for (int r = 0; r < CfiRegs.NUM_GPRS; r++) {
            n += a.isCalleeSaved(r) ? 1 : 0;
        }
        assertEquals(6, n);
        assertTrue(a.isCalleeSaved(CfiRegs.BP));
        assertFalse(a.isCalleeSaved(CfiRegs.SP));
    }

    @Test
    void nopAndRetEncodingsDecodeBack() {
        X86Arch a = new X86Arch();
        X86Decoder d = new X86Decoder();
        DecodedInsn insn = new DecodedInsn();
        for (int len = 1; len <= 20; len++) {
            byte[] nop = a.nop(len);
            assertEquals(len, nop.length);
            for (int off = 0; off < len; off += insn.length()) {
                assertTrue(d.decode(nop, off, insn));
                assertEquals(InsnType.NOP, insn.type(), "nop(" + len + ")");
            }
            byte[] ret = a.ret(len);
            assertTrue(d.decode(ret, 0, insn));
            assertEquals(InsnType.RETURN, insn.type());
        }
        assertArrayEquals(new byte[] {0x0f, 0x1f, 0x44, 0, 0}, a.nop(5));
        assertEquals(0x1004, a.relocDestOffset(0x1000));
    }
}
