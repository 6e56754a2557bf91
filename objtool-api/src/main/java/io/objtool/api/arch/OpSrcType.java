package io.objtool.api.arch;

/** Source kind of a {@link StackOp} ({@code enum op_src_type}). */
public enum OpSrcType {
    /** The value of register {@code src.reg}. */
    REG,
    /** Memory at {@code src.offset(src.reg)}, base %rsp or %rbp. */
    REG_INDIRECT,
    /** A value with no CFI meaning (an immediate, memory, a segment register). */
    CONST,
    /** {@code src.reg + src.offset} (add/sub of an immediate, lea, and add of a register when offset is 0). */
    ADD,
    /** {@code src.reg & src.offset} (stack realignment). */
    AND,
    /** A pop: the value at the top of stack, then %rsp += 8. */
    POP,
    /** {@code popf}: pop of the flags. */
    POPF;

    private static final OpSrcType[] VALUES = values();

    /** The type with the given ordinal. */
    public static OpSrcType of(int ordinal) {
        return VALUES[ordinal];
    }
}
