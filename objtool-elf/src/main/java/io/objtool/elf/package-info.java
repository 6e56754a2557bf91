/**
 * The ELF layer: reading and writing ELF64 little-endian x86-64 relocatable objects
 * ({@code .o}, {@code .ko}, {@code vmlinux.o}) and reading linked images.
 *
 * <p>{@link io.objtool.elf.ElfFile} maps the input with the FFM API ({@code MemorySegment}), so
 * files over 2 GiB work and section bytes are read in place. Sections and symbols are objects;
 * relocations are stored column by column ({@link io.objtool.elf.Relocations}: one primitive
 * array per field and one array of symbol references), never an object per entry. Lookups are
 * O(1) for a symbol by name and O(log n) for the symbol or function covering a section offset
 * ({@link io.objtool.elf.SymbolIndex}) and for the relocation inside a byte range.
 *
 * <p>Writing ({@link io.objtool.elf.ElfFile#write}) encodes the symbol table and relocation
 * sections from the model, keeps every section at its original offset while it fits, appends new
 * sections, and renames a temporary file over the output; an unchanged object comes out byte for
 * byte as it went in.
 *
 * <p><b>Why not jelf.</b> {@code net.fornwall:jelf} is used in the tests as an independent
 * reader to cross-check this one. It cannot serve as the production reader: it has no writer;
 * it reads through {@code ByteBuffer}s, which are {@code int}-indexed (no files over 2 GiB); it
 * makes an object per symbol and per relocation (vmlinux.o has millions of relocations); and it
 * does not resolve extended section numbering ({@code SHN_XINDEX}, {@code .symtab_shndx}), which
 * objects built with {@code -ffunction-sections} need.
 */
package io.objtool.elf;
