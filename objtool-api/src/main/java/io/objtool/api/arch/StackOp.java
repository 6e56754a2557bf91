package io.objtool.api.arch;

/**
 * One stack operation in objtool's model: an instruction that changes the cfa, saves or restores
 * a callee-saved register, or sets up/tears down a frame or drap is described by one or more of
 * these, applied in order. {@code leave}, for example, is {@code mov %rbp,%rsp} then
 * {@code pop %rbp}.
 *
 * <p>This is the immutable, allocation-per-op view; the decoder's hot path keeps the same data in
 * primitive form inside {@link DecodedInsn}.
 *
 * @param destType where the value goes
 * @param destReg  CFI register number ({@link CfiRegs}) of the destination or its base, or 0
 * @param destOffset displacement for {@link OpDestType#REG_INDIRECT}
 * @param srcType  where the value comes from
 * @param srcReg   CFI register number of the source or its base, or 0
 * @param srcOffset displacement, addend ({@link OpSrcType#ADD}) or mask ({@link OpSrcType#AND})
 */
public record StackOp(OpDestType destType, int destReg, int destOffset,
                      OpSrcType srcType, int srcReg, int srcOffset) {

    /** objtool-like text, e.g. {@code "ADD rsp-32 -> REG rsp"}. */
    @Override
    public String toString() {
        return srcType + " " + CfiRegs.name(srcReg) + signed(srcOffset)
                + " -> " + destType + " " + CfiRegs.name(destReg) + signed(destOffset);
    }

    private static String signed(int v) {
        return v == 0 ? "" : (v > 0 ? "+" : "") + v;
    }
}
