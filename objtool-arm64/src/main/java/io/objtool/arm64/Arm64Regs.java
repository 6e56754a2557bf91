package io.objtool.arm64;

/**
 * The CFI register numbering of the arm64 backend: the DWARF numbering of AArch64, so that the
 * walk's CFI and the compiler's CFI name registers alike. x0..x30 are 0..30 (x29 is the frame
 * pointer {@code fp}, x30 the link register {@code lr}, which holds the return address), and the
 * stack pointer is 31. Register field value 31 means SP or XZR depending on the instruction; the
 * decoder resolves that before it uses these numbers.
 */
final class Arm64Regs {
    private Arm64Regs() {
    }

    /** The frame pointer, x29. */
    static final int FP = 29;
    /** The link register, x30: the return address at function entry. */
    static final int LR = 30;
    /** The stack pointer. */
    static final int SP = 31;
    /** Number of CFI registers: x0..x30 and sp. */
    static final int NUM_REGS = 32;
}
