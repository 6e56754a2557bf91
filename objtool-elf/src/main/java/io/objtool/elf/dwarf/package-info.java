/**
 * DWARF debugging information an object carries, as far as objtool uses it: the line table
 * ({@link io.objtool.elf.dwarf.LineTable}) that maps code locations to source lines for
 * machine-readable warnings.
 */
package io.objtool.elf.dwarf;
