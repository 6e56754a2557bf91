package io.objtool.api.arch;

import java.util.List;

/**
 * The CFI state at a function's entry ({@code struct cfi_init_state}): the cfa rule and the save
 * rule of each of the {@link CfiRegs#NUM_REGS} tracked registers. On x86-64 the cfa is
 * {@code rsp+8} and the return address is saved at {@code cfa-8}; every other register is
 * undefined (still holds the caller's value).
 *
 * @param cfa  the canonical frame address rule
 * @param regs one rule per CFI register number, {@link CfiRegs#NUM_REGS} entries
 */
public record InitialCfi(CfiRule cfa, List<CfiRule> regs) {
    /** Checks the register table has one rule per CFI register. */
    public InitialCfi {
        regs = List.copyOf(regs);
    }

    /** Save rule of CFI register {@code reg}. */
    public CfiRule reg(int reg) {
        return regs.get(reg);
    }
}
