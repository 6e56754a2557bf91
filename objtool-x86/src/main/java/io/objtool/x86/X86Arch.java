package io.objtool.x86;

import com.google.auto.service.AutoService;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.CfiRule;
import io.objtool.api.arch.InitialCfi;
import io.objtool.api.arch.InsnDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The x86-64 backend. */
@AutoService(Arch.class)
public final class X86Arch implements Arch {
    /** ELF machine number of x86-64. */
    public static final int EM_X86_64 = 62;

    /** Recommended multi-byte NOPs (Intel SDM "NOP" table), index = length. */
    private static final byte[][] NOPS = {
        {},
        {(byte) 0x90},
        {0x66, (byte) 0x90},
        {0x0f, 0x1f, 0x00},
        {0x0f, 0x1f, 0x40, 0x00},
        {0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x0f, 0x1f, (byte) 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0f, 0x1f, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };

    private static final InitialCfi INITIAL_CFI;

    static {
        List<CfiRule> regs = new ArrayList<>(CfiRegs.NUM_REGS);
        for (int i = 0; i < CfiRegs.NUM_REGS; i++) {
            regs.add(CfiRule.UNDEFINED);
        }
        regs.set(CfiRegs.RA, new CfiRule(CfiRegs.CFA, -8));
        INITIAL_CFI = new InitialCfi(new CfiRule(CfiRegs.SP, 8), regs);
    }

    @Override
    public String name() {
        return "x86_64";
    }

    @Override
    public int elfMachine() {
        return EM_X86_64;
    }

    @Override
    public InsnDecoder newDecoder() {
        return new X86Decoder();
    }

    @Override
    public int cfiRegCount() {
        return CfiRegs.NUM_REGS;
    }

    @Override
    public int stackPointerReg() {
        return CfiRegs.SP;
    }

    @Override
    public int framePointerReg() {
        return CfiRegs.BP;
    }

    @Override
    public InitialCfi initialFunctionCfi() {
        return INITIAL_CFI;
    }

    @Override
    public int callPushSize() {
        return 8;
    }

    @Override
    public boolean isCalleeSaved(int reg) {
        return switch (reg) {
            case CfiRegs.RBX, CfiRegs.BP, CfiRegs.R12, CfiRegs.R13, CfiRegs.R14, CfiRegs.R15 -> true;
            default -> false;
        };
    }

    @Override
    public long relocDestOffset(long addend) {
        return addend + 4;
    }

    @Override
    public byte[] nop(int len) {
        if (len < 1) {
            throw new IllegalArgumentException("nop length " + len);
        }
        if (len < NOPS.length) {
            return NOPS[len].clone();
        }
        // longer: a sequence of the forms above, longest first
        byte[] out = new byte[len];
        int pos = 0;
        while (pos < len) {
            int n = Math.min(len - pos, NOPS.length - 1);
            System.arraycopy(NOPS[n], 0, out, pos, n);
            pos += n;
        }
        return out;
    }

    @Override
    public byte[] ret(int len) {
        if (len < 1) {
            throw new IllegalArgumentException("ret length " + len);
        }
        byte[] out = new byte[len];
        Arrays.fill(out, (byte) 0xcc);
        out[0] = (byte) 0xc3;
        return out;
    }

    @Override
    public int callLength() {
        return 5;
    }
}
