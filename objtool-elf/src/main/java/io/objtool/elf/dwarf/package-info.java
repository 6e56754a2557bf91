/**
 * DWARF debugging information an object carries, as far as objtool uses it: the line table
 * ({@link io.objtool.elf.dwarf.LineTable}) that maps code locations to source lines for
 * machine-readable warnings, and the call frame information: {@link io.objtool.elf.dwarf.FrameInfo}
 * reads the CIEs and FDEs of {@code .eh_frame} and {@code .debug_frame} (through their
 * relocations, so every FDE knows the code section and offset it describes) and runs their CFA
 * programs into {@link io.objtool.elf.dwarf.CfiRow}s: the CFA rule and each register's rule from
 * an address on. Expressions ({@link io.objtool.elf.dwarf.DwarfExpr}) are evaluated symbolically,
 * as the stack-realigning (DRAP) functions gcc emits need. Malformed CFI raises
 * {@link io.objtool.elf.MalformedElfException} in one line naming the file, the section and
 * offset; a malformed line program keeps the rows read before the fault. What hostile input can
 * cost is bounded (expression terms, rules copied into rows, names decoded): see the classes.
 */
package io.objtool.elf.dwarf;
