/**
 * ELF64 little-endian x86-64 objects: read (memory-mapped), change, write atomically.
 * {@link io.objtool.elf.ElfFile} is the entry point; its types are read-only except through
 * {@code io.objtool.elf.edit}, exported only to the modules that write objects.
 */
module io.objtool.elf {
  exports io.objtool.elf;
  exports io.objtool.elf.dwarf;
  exports io.objtool.elf.edit to io.objtool.check, io.objtool.orc, io.objtool.cli;
}
