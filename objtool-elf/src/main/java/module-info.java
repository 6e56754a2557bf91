/**
 * ELF64 little-endian x86-64 objects: read (memory-mapped), change, write atomically.
 * {@link io.objtool.elf.ElfFile} is the entry point.
 */
module io.objtool.elf {
  exports io.objtool.elf;
}
