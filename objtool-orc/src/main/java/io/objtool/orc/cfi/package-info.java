/**
 * The DWARF cross-check: objtool's CFI after the walk against the compiler's own call frame
 * information ({@code .eh_frame}, {@code .debug_frame}), instruction by instruction
 * ({@link io.objtool.orc.cfi.CfiCrossCheck}).
 */
package io.objtool.orc.cfi;
