package io.objtool.api.arch;

import java.lang.foreign.MemorySegment;

/**
 * Decodes machine instructions in place into a reusable {@link DecodedInsn}: objtool's
 * {@code arch_decode_instruction()}.
 *
 * <p>Implementations keep scratch state and are therefore not thread-safe; create one per thread
 * with {@link Arch#newDecoder()}. Decoding does not allocate.
 */
public interface InsnDecoder {

    /**
     * Decodes the instruction at {@code offset} of {@code code}, reading no byte at or after
     * {@code end}.
     *
     * @param code       the section bytes (heap or mapped)
     * @param offset     byte offset of the instruction in {@code code}
     * @param end        exclusive limit, at most {@code code.byteSize()}
     * @param inFunction whether the instruction lies inside an STT_FUNC symbol; a few
     *                   instructions are modelled differently there (IRET-to-self in sync_core())
     * @param out        receives the result; reset first
     * @return {@code out.ok()}
     */
    boolean decode(MemorySegment code, long offset, long end, boolean inFunction, DecodedInsn out);

    /**
     * Fast first-pass decode: only the length and the {@link InsnType}, packed as
     * {@code length | type.ordinal() << 8}; a negative value {@code -n} means the bytes do not
     * decode and {@code n >= 1} bytes were examined. Does not allocate.
     */
    int lengthAndType(MemorySegment code, long offset, long end, boolean inFunction);

    /** {@link #decode(MemorySegment, long, long, boolean, DecodedInsn)} up to the end of {@code code}, in a function. */
    default boolean decode(MemorySegment code, long offset, DecodedInsn out) {
        return decode(code, offset, code.byteSize(), true, out);
    }

    /** Decodes from a byte array, up to its end, in a function. */
    boolean decode(byte[] code, int offset, DecodedInsn out);
}
