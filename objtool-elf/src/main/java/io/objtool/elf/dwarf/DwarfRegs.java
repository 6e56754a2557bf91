package io.objtool.elf.dwarf;

import io.objtool.elf.Elf;

/** DWARF register numbers and their names (the x86-64 psABI numbering; other machines print {@code rN}). */
public final class DwarfRegs {
  /** x86-64: %rsp. */
  public static final int X86_RSP = 7;
  /** x86-64: %rbp. */
  public static final int X86_RBP = 6;
  /** x86-64: the return address column (%rip). */
  public static final int X86_RA = 16;

  private static final String[] X86 = {
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"};

  private DwarfRegs() { }

  /** The name of DWARF register {@code reg} on ELF machine {@code machine}. */
  public static String name(int machine, int reg) {
    if (machine == Elf.EM_X86_64 && reg >= 0 && reg < X86.length) return X86[reg];
    return "r" + reg;
  }
}
