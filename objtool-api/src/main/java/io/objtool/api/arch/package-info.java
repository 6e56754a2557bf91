/**
 * The architecture SPI: objtool's view of machine code. An {@link io.objtool.api.arch.Arch} backend
 * supplies an {@link io.objtool.api.arch.InsnDecoder} that turns bytes into an
 * {@link io.objtool.api.arch.InsnType insn type}, a length, an immediate and a list of
 * {@link io.objtool.api.arch.StackOp stack ops}; the check engine replays the stack ops on its CFI
 * state (cfa, saved registers, drap) starting from {@link io.objtool.api.arch.Arch#initialFunctionCfi()}.
 */
package io.objtool.api.arch;
