package io.objtool.elf;

/** ELF64 constants used by objtool: section types and flags, symbol bindings and types, x86-64 relocation types. */
public final class Elf {
  private Elf() {}

  /** Size of the ELF64 file header. */
  public static final int EHDR_SIZE = 64;
  /** Size of one ELF64 section header. */
  public static final int SHDR_SIZE = 64;
  /** Size of one ELF64 symbol table entry ({@code Elf64_Sym}). */
  public static final int SYM_SIZE = 24;
  /** Size of one ELF64 relocation with addend ({@code Elf64_Rela}). */
  public static final int RELA_SIZE = 24;

  /** {@code e_type}: a relocatable object ({@code .o}, {@code .ko}), what objtool checks. */
  public static final int ET_REL = 1;
  /** {@code e_type}: an executable (a linked image such as {@code vmlinux}). */
  public static final int ET_EXEC = 2;
  /** {@code e_type}: a shared object or position-independent executable. */
  public static final int ET_DYN = 3;
  /** {@code e_machine}: x86-64. */
  public static final int EM_X86_64 = 62;
  /** {@code e_machine}: AArch64. */
  public static final int EM_AARCH64 = 183;

  /** Section index of an undefined symbol (no section). */
  public static final int SHN_UNDEF = 0;
  /** First reserved section index; real indexes at or above it go through {@code SHT_SYMTAB_SHNDX} or the extended header. */
  public static final int SHN_LORESERVE = 0xff00;
  /** Section index of an absolute symbol (its value is not relative to a section). */
  public static final int SHN_ABS = 0xfff1;
  /** Section index of a common (not yet allocated) symbol. */
  public static final int SHN_COMMON = 0xfff2;
  /** Marks a section index held elsewhere (extended section numbering). */
  public static final int SHN_XINDEX = 0xffff;

  /** Section type: the unused header at index 0. */
  public static final int SHT_NULL = 0;
  /** Section type: bytes defined by the program (code, data, annotations). */
  public static final int SHT_PROGBITS = 1;
  /** Section type: the symbol table. */
  public static final int SHT_SYMTAB = 2;
  /** Section type: a string table. */
  public static final int SHT_STRTAB = 3;
  /** Section type: relocations with addends (what x86-64 objects use). */
  public static final int SHT_RELA = 4;
  /** Section type: occupies no file space ({@code .bss}). */
  public static final int SHT_NOBITS = 8;
  /** Section type: relocations without addends. */
  public static final int SHT_REL = 9;
  /** Section type: a section group (COMDAT). */
  public static final int SHT_GROUP = 17;
  /** Section type: the extended section indexes of the symbol table's entries. */
  public static final int SHT_SYMTAB_SHNDX = 18;

  /** Section flag: writable at run time. */
  public static final long SHF_WRITE = 0x1;
  /** Section flag: occupies memory at run time. */
  public static final long SHF_ALLOC = 0x2;
  /** Section flag: holds code; objtool decodes and checks these sections. */
  public static final long SHF_EXECINSTR = 0x4;
  /** Section flag: its entries may be merged with equal ones. */
  public static final long SHF_MERGE = 0x10;
  /** Section flag: holds NUL-terminated strings. */
  public static final long SHF_STRINGS = 0x20;
  /** Section flag: {@code sh_info} holds a section index. */
  public static final long SHF_INFO_LINK = 0x40;
  /** Section flag: member of a section group. */
  public static final long SHF_GROUP = 0x200;

  /** Symbol binding: visible only in its object. */
  public static final int STB_LOCAL = 0;
  /** Symbol binding: visible to every object linked with it. */
  public static final int STB_GLOBAL = 1;
  /** Symbol binding: global, but another definition may take precedence. */
  public static final int STB_WEAK = 2;

  /** Symbol type: unspecified (e.g. an assembler label). */
  public static final int STT_NOTYPE = 0;
  /** Symbol type: a data object. */
  public static final int STT_OBJECT = 1;
  /** Symbol type: a function; objtool walks each from its entry. */
  public static final int STT_FUNC = 2;
  /** Symbol type: the symbol of a section (relocations against a section refer to it). */
  public static final int STT_SECTION = 3;
  /** Symbol type: the source file name. */
  public static final int STT_FILE = 4;

  /** Relocation type: none. */
  public static final int R_X86_64_NONE = 0;
  /** Relocation type: 64-bit absolute address, {@code S + A}. */
  public static final int R_X86_64_64 = 1;
  /** Relocation type: 32-bit PC-relative, {@code S + A - P}. */
  public static final int R_X86_64_PC32 = 2;
  /** Relocation type (AArch64): 32-bit PC-relative data, {@code S + A - P}. */
  public static final int R_AARCH64_PREL32 = 261;
  /** Relocation type: 32-bit PC-relative through the PLT (calls and jumps), {@code L + A - P}. */
  public static final int R_X86_64_PLT32 = 4;
  /** Relocation type: 32-bit zero-extended absolute address. */
  public static final int R_X86_64_32 = 10;
  /** Relocation type: 32-bit sign-extended absolute address. */
  public static final int R_X86_64_32S = 11;
  /** Relocation type: 64-bit PC-relative, {@code S + A - P}. */
  public static final int R_X86_64_PC64 = 24;

  /** {@code st_info} from a binding and a type. */
  public static int stInfo(int bind, int type) {
    return (bind << 4) | (type & 0xf);
  }
}
