package io.objtool.api.arch;

/** Outcome of decoding one instruction. Only {@link #OK} results carry a type and length. */
public enum DecodeStatus {
    /** A known encoding was decoded. */
    OK,
    /** The bytes end before the instruction does. */
    TRUNCATED,
    /**
     * The encoding is rejected (objdump prints "(bad)"). Opcodes that objtool's decoder accepts
     * although they are undefined or invalid in 64-bit mode decode as {@link #OK} with {@link
     * DecodedInsn#F_UNDEFINED} instead.
     */
    INVALID_OPCODE,
    /** Prefixes and operands add up to more than the architectural maximum length. */
    TOO_LONG
}
