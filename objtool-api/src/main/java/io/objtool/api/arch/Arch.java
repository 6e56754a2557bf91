package io.objtool.api.arch;

/**
 * An architecture backend, found with {@link java.util.ServiceLoader} (see {@link Architectures}):
 * the instruction decoder plus the arch facts the check and ORC engines need.
 */
public interface Arch {

    /** Short name, e.g. {@code "x86_64"}. */
    String name();

    /** ELF {@code e_machine} this backend handles (EM_X86_64 = 62). */
    int elfMachine();

    /** A new, single-threaded decoder. */
    InsnDecoder newDecoder();

    /** Number of CFI registers tracked ({@code CFI_NUM_REGS}). */
    int cfiRegCount();

    /** CFI register number of the stack pointer. */
    int stackPointerReg();

    /** CFI register number of the frame pointer. */
    int framePointerReg();

    /** The CFI state at function entry: cfa = sp + {@link #callPushSize()}, return address at cfa - 8. */
    InitialCfi initialFunctionCfi();

    /** Bytes a call pushes (the return address), and so the initial cfa offset. */
    int callPushSize();

    /** True if CFI register {@code reg} is callee-saved in the kernel ABI. */
    boolean isCalleeSaved(int reg);

    /**
     * Distance from a branch-displacement relocation's addend to the branch target offset: for a
     * PC32 relocation at the end of the instruction the target symbol offset is {@code addend + 4}.
     */
    long relocDestOffset(long addend);

    /** A NOP of exactly {@code len} bytes, as used for patching (1..8 or more). */
    byte[] nop(int len);

    /** A return of exactly {@code len} bytes: RET padded with INT3 (1..len). */
    byte[] ret(int len);

    /** Length in bytes of a direct call (so the call site is {@code returnAddress - callLength()}). */
    int callLength();

    /**
     * CFI register that holds the return address or the slot it is tracked in: on x86-64 the
     * pseudo register {@link CfiRegs#RA} (saved at cfa-8 by the call), on arm64 the link register
     * x30 (not saved at function entry).
     */
    default int returnAddressReg() {
        return CfiRegs.RA;
    }

    /**
     * Whether the stack pointer can be realigned through a DRAP register (gcc's
     * {@code lea off(%rsp),%r10; and $-N,%rsp}), so that {@code reg = sp + off} starts one. Where
     * it is false (arm64), such an add only records the value the register holds.
     */
    default boolean usesDrap() {
        return true;
    }

    /** Name of CFI register (or pseudo base) {@code reg} without a prefix, e.g. {@code "rbp"}, {@code "fp"}. */
    default String cfiRegName(int reg) {
        return CfiRegs.name(reg);
    }

    /**
     * Actions (long option names without {@code --}) that exist for this architecture only in
     * name: the command line refuses them on its objects with one line. Empty on x86-64.
     */
    default java.util.Set<String> unsupportedActions() {
        return java.util.Set.of();
    }

    /**
     * The targets (offsets in {@code sec}) of the switch jump table that the indirect jump at
     * {@code jump} goes through, found from the code before it (back to {@code funcStart}), or
     * null when this architecture finds its tables from relocations only (x86-64: the check's own
     * {@code .rodata} relocation search) or the code is not a table dispatch it knows.
     */
    default long[] jumpTableTargets(io.objtool.elf.Section sec, long funcStart, long jump) {
        return null;
    }

    /**
     * Whether the executable section {@code sec} holds no code but a placeholder the module
     * loader fills in: it is not decoded. arm64's module linker script reserves {@code .plt},
     * {@code .init.plt}, {@code .text.ftrace_trampoline} and {@code .init.text.ftrace_trampoline}
     * with one zero byte each (the loader sizes them for PLT entries and ftrace trampolines).
     * False on x86-64.
     */
    default boolean isPlaceholderSection(io.objtool.elf.Section sec) {
        return false;
    }

    /**
     * Functions of this architecture that never return, by name (global or weak symbols), in
     * addition to objtool's list of noreturn functions (which names x86-64's own): a call to one
     * ends the path. Empty on x86-64.
     */
    default java.util.Set<String> noreturnFunctions() {
        return java.util.Set.of();
    }

    /**
     * The data inside executable section {@code sec} that is not to be decoded, as sorted
     * {@code [start, end)} offset pairs, or null when there is none. On arm64 the ELF mapping
     * symbols mark it: from a {@code $d} to the next {@code $x} (constant tables that assembly
     * keeps in {@code .text}, as the SHA-2 round constants). Null on x86-64.
     */
    default long[] dataRanges(io.objtool.elf.Section sec) {
        return null;
    }
}
