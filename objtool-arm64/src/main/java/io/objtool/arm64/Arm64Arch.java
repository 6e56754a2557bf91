package io.objtool.arm64;

import com.google.auto.service.AutoService;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.CfiRule;
import io.objtool.api.arch.InitialCfi;
import io.objtool.api.arch.InsnDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The AArch64 backend: {@link Arm64Decoder} plus the facts the engines need. At function entry
 * the cfa is the stack pointer itself (a call pushes nothing: the return address is in
 * {@code lr}, x30), and no register is saved yet. CFI registers use the DWARF numbering
 * (x0..x30 = 0..30, sp = 31).
 */
@AutoService(Arch.class)
public final class Arm64Arch implements Arch {
    /** ELF machine number of AArch64. */
    public static final int EM_AARCH64 = 183;

    /** {@code nop}, little-endian. */
    static final int NOP = 0xd503201f;
    /** {@code ret} (ret x30). */
    static final int RET = 0xd65f03c0;
    /** {@code brk #0}: the padding after a patched return, as int3 on x86. */
    static final int BRK0 = 0xd4200000;

    private static final InitialCfi INITIAL_CFI;
    private static final Set<String> UNSUPPORTED = Set.of("hacks=jump_label", "hacks=noinstr", "hacks=skylake",
            "ibt", "mcount", "noinstr", "retpoline", "rethunk", "unret", "sls", "static-call", "uaccess", "cfi",
            "prefix");

    static {
        List<CfiRule> regs = new ArrayList<>(Arm64Regs.NUM_REGS);
        for (int i = 0; i < Arm64Regs.NUM_REGS; i++) {
            regs.add(CfiRule.UNDEFINED);
        }
        INITIAL_CFI = new InitialCfi(new CfiRule(Arm64Regs.SP, 0), regs);
    }

    /** Creates the backend (ServiceLoader). */
    public Arm64Arch() {
    }

    @Override
    public String name() {
        return "arm64";
    }

    @Override
    public int elfMachine() {
        return EM_AARCH64;
    }

    @Override
    public InsnDecoder newDecoder() {
        return new Arm64Decoder();
    }

    @Override
    public int cfiRegCount() {
        return Arm64Regs.NUM_REGS;
    }

    @Override
    public int stackPointerReg() {
        return Arm64Regs.SP;
    }

    @Override
    public int framePointerReg() {
        return Arm64Regs.FP;
    }

    @Override
    public InitialCfi initialFunctionCfi() {
        return INITIAL_CFI;
    }

    /** A BL pushes nothing: the return address goes to {@code lr}. */
    @Override
    public int callPushSize() {
        return 0;
    }

    /** x19..x28, the frame pointer x29 and the link register x30 (AAPCS64). */
    @Override
    public boolean isCalleeSaved(int reg) {
        return reg >= 19 && reg <= Arm64Regs.LR;
    }

    /** R_AARCH64_JUMP26/CALL26/CONDBR19/TSTBR14 relocations resolve to {@code S + A}: no bias. */
    @Override
    public long relocDestOffset(long addend) {
        return addend;
    }

    /** {@code len / 4} NOPs; {@code len} must be a positive multiple of 4. */
    @Override
    public byte[] nop(int len) {
        checkLength(len, "nop");
        byte[] out = new byte[len];
        for (int i = 0; i < len; i += 4) {
            put(out, i, NOP);
        }
        return out;
    }

    /** {@code ret} followed by {@code brk #0} up to {@code len} (a positive multiple of 4). */
    @Override
    public byte[] ret(int len) {
        checkLength(len, "ret");
        byte[] out = new byte[len];
        put(out, 0, RET);
        for (int i = 4; i < len; i += 4) {
            put(out, i, BRK0);
        }
        return out;
    }

    @Override
    public int callLength() {
        return 4;
    }

    /** The link register, x30: the return address stays there until a function saves it. */
    @Override
    public int returnAddressReg() {
        return Arm64Regs.LR;
    }

    /** gcc's switch dispatch through a table of instruction distances ({@link Arm64JumpTables}). */
    @Override
    public long[] jumpTableTargets(io.objtool.elf.Section sec, long funcStart, long jump) {
        return Arm64JumpTables.targets(sec, funcStart, jump);
    }

    /** No DRAP on arm64: {@code add xN, sp, #n} only records what xN holds. */
    @Override
    public boolean usesDrap() {
        return false;
    }

    /** {@code x0}..{@code x30}, {@code sp}, as the disassembly names them; pseudo bases as on x86. */
    @Override
    public String cfiRegName(int reg) {
        return switch (reg) {
            case Arm64Regs.SP -> "sp";
            default -> reg >= 0 && reg <= Arm64Regs.LR ? "x" + reg : CfiRegs.name(reg);
        };
    }

    /**
     * The actions that are about x86-64 instructions or sections (retpolines, return thunks, IBT,
     * SLS, static calls, user access with STAC/CLAC, mcount, prefix padding, the noinstr and
     * jump-label hacks, kCFI): refused on arm64 objects.
     */
    @Override
    public Set<String> unsupportedActions() {
        return UNSUPPORTED;
    }

    private static void checkLength(int len, String what) {
        if (len < 4 || (len & 3) != 0) {
            throw new IllegalArgumentException(what + " length " + len + " (AArch64 instructions are 4 bytes)");
        }
    }

    private static void put(byte[] b, int off, int word) {
        b[off] = (byte) word;
        b[off + 1] = (byte) (word >>> 8);
        b[off + 2] = (byte) (word >>> 16);
        b[off + 3] = (byte) (word >>> 24);
    }
}
