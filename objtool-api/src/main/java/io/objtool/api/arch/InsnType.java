package io.objtool.api.arch;

/**
 * objtool's instruction type ({@code enum insn_type}): the control-flow class of one decoded
 * instruction, which is all the validation engine needs to know about most instructions.
 *
 * <p>The decoder never produces {@link #JUMP_DYNAMIC_CONDITIONAL}: objtool derives it in the
 * engine when a conditional jump targets a retpoline thunk. {@link #SYSCALL} and {@link #SYSRET}
 * are split out of {@link #CONTEXT_SWITCH}; objtool 6.12 reports all three the same way
 * ("unsupported instruction in callable function").
 */
public enum InsnType {
    /** Anything without control-flow meaning for objtool. */
    OTHER,
    /** Jcc, JRCXZ, LOOPcc: falls through and branches to {@code offset + len + immediate}. */
    JUMP_CONDITIONAL,
    /** Direct JMP: branches to {@code offset + len + immediate}, no fall-through. */
    JUMP_UNCONDITIONAL,
    /** Indirect JMP through a register or memory (switch tables, tail calls, retpolines). */
    JUMP_DYNAMIC,
    /** Conditional jump to a retpoline thunk; assigned by the engine, never by the decoder. */
    JUMP_DYNAMIC_CONDITIONAL,
    /** Direct CALL to {@code offset + len + immediate}. */
    CALL,
    /** Indirect CALL through a register or memory. */
    CALL_DYNAMIC,
    /** Near RET (with or without an immediate). */
    RETURN,
    /**
     * Leaves the current context: IRET outside functions, far return (lret), {@code ljmp *mem},
     * SYSENTER/SYSEXIT, ERETU/ERETS. objtool rejects these in callable functions.
     */
    CONTEXT_SWITCH,
    /** UD2 and UD1: a deliberate trap that ends the path (BUG()/WARN()). */
    BUG,
    /** Any NOP form: 90 with any prefix, 0f 1f, 0f 0d. */
    NOP,
    /** STAC: user access enabled (SMAP). */
    STAC,
    /** CLAC: user access disabled (SMAP). */
    CLAC,
    /** STD: direction flag set. */
    STD,
    /** CLD: direction flag cleared. */
    CLD,
    /** INT3: a trap that may be skipped over; padding when unreachable. */
    TRAP,
    /** ENDBR64/ENDBR32: an IBT landing pad. */
    ENDBR,
    /** SYSCALL. */
    SYSCALL,
    /** SYSRET. */
    SYSRET;

    private static final InsnType[] VALUES = values();

    /** The type with the given {@link #ordinal()}; lets hot paths store types as bytes. */
    public static InsnType of(int ordinal) {
        return VALUES[ordinal];
    }

    /** True for the types whose {@code immediate} is a branch displacement. */
    public boolean isDirectBranch() {
        return this == JUMP_CONDITIONAL || this == JUMP_UNCONDITIONAL || this == CALL;
    }
}
