package io.objtool.api.arch;

/** Outcome of decoding one instruction. Only {@link #OK} results carry a type and length. */
public enum DecodeStatus {
    /** A known encoding was decoded. */
    OK,
    /** The bytes end before the instruction does. */
    TRUNCATED,
    /** The opcode is undefined (or invalid in 64-bit mode); objdump prints it as "(bad)". */
    INVALID_OPCODE,
    /** Prefixes and operands add up to more than the architectural maximum length. */
    TOO_LONG
}
