package io.objtool.api.arch;

/**
 * objtool's CFI register numbering for x86-64 (the order of the ModRM register field, extended by
 * REX), plus the pseudo registers and pseudo bases the CFI state uses.
 *
 * <p>A stack operation's {@code reg} and a CFI rule's {@code base} are numbers from this class.
 */
public final class CfiRegs {
    private CfiRegs() {
    }

    /** CFI register 0: %rax. */
    public static final int RAX = 0;
    /** CFI register 1: %rcx. */
    public static final int RCX = 1;
    /** CFI register 2: %rdx. */
    public static final int RDX = 2;
    /** CFI register 3: %rbx. */
    public static final int RBX = 3;
    /** The stack pointer: the usual cfa base. */
    public static final int SP = 4;
    /** The frame pointer: the cfa base after {@code mov %rsp,%rbp}. */
    public static final int BP = 5;
    /** CFI register 6: %rsi. */
    public static final int RSI = 6;
    /** CFI register 7: %rdi. */
    public static final int RDI = 7;
    /** CFI register 8: %r8. */
    public static final int R8 = 8;
    /** CFI register 9: %r9. */
    public static final int R9 = 9;
    /** CFI register 10: %r10. */
    public static final int R10 = 10;
    /** CFI register 11: %r11. */
    public static final int R11 = 11;
    /** CFI register 12: %r12. */
    public static final int R12 = 12;
    /** CFI register 13: %r13. */
    public static final int R13 = 13;
    /** CFI register 14: %r14. */
    public static final int R14 = 14;
    /** CFI register 15: %r15. */
    public static final int R15 = 15;
    /** Number of general purpose registers; also objtool's CFI_BP_INDIRECT-free limit for drap. */
    public static final int NUM_GPRS = 16;
    /** The return address, tracked like a register saved at cfa-8. */
    public static final int RA = 16;
    /** Number of tracked registers (CFI_NUM_REGS). */
    public static final int NUM_REGS = 17;

    /** Base meaning "not saved / not known" (CFI_UNDEFINED). */
    public static final int UNDEFINED = -1;
    /** Base meaning "relative to the cfa" (CFI_CFA). */
    public static final int CFA = -2;
    /** Base meaning "cfa is stored at offset(%rsp)" (CFI_SP_INDIRECT). */
    public static final int SP_INDIRECT = -3;
    /** Base meaning "cfa is stored at offset(%rbp)" (CFI_BP_INDIRECT), used with drap. */
    public static final int BP_INDIRECT = -4;

    private static final String[] NAMES = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra",
    };

    /** Register or pseudo-base name without '%', e.g. {@code "rbp"}, {@code "cfa"}. */
    public static String name(int reg) {
        if (reg >= 0 && reg < NAMES.length) {
            return NAMES[reg];
        }
        return switch (reg) {
            case UNDEFINED -> "undef";
            case CFA -> "cfa";
            case SP_INDIRECT -> "(sp)";
            case BP_INDIRECT -> "(bp)";
            default -> "reg" + reg;
        };
    }
}
