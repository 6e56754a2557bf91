package io.objtool.api.arch;

/** Destination kind of a {@link StackOp} ({@code enum op_dest_type}). */
public enum OpDestType {
    /** A register: {@code dest.reg}. */
    REG,
    /** Memory at {@code dest.offset(dest.reg)}, where the base is %rsp or %rbp (or a drap reg). */
    REG_INDIRECT,
    /** Memory that does not matter to the CFI (e.g. {@code pop} to memory, {@code popf}). */
    MEM,
    /** A push: %rsp -= 8 and the source is stored at the new top of stack. */
    PUSH,
    /** {@code pushf}: a push of the flags, which objtool tracks for the uaccess state. */
    PUSHF;

    private static final OpDestType[] VALUES = values();

    /** The type with the given ordinal. */
    public static OpDestType of(int ordinal) {
        return VALUES[ordinal];
    }
}
