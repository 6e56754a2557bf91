package io.objtool.api;

/**
 * One alternative code path of an instruction: a replacement (from {@code .altinstructions}), a
 * jump-label target or fall-through ({@code __jump_table}), or an exception fixup
 * ({@code __ex_table}). {@code skipOrig}: the original path is not taken when this one exists.
 */
public record Alternative(Instruction insn, boolean skipOrig, Alternative next) {}
