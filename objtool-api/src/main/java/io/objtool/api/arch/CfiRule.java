package io.objtool.api.arch;

/**
 * Where a value lives in objtool's CFI state: {@code base + offset}, with {@code base} a register
 * number or a pseudo base from {@link CfiRegs} (e.g. {@link CfiRegs#CFA} for "saved at cfa+offset").
 *
 * @param base   register number or pseudo base
 * @param offset byte offset from the base
 */
public record CfiRule(int base, int offset) {
    /** The "undefined" rule: not saved. */
    public static final CfiRule UNDEFINED = new CfiRule(CfiRegs.UNDEFINED, 0);

    @Override
    public String toString() {
        return base == CfiRegs.UNDEFINED ? "undef" : CfiRegs.name(base) + (offset >= 0 ? "+" : "") + offset;
    }
}
