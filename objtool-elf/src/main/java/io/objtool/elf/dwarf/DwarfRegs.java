package io.objtool.elf.dwarf;

import io.objtool.elf.Elf;

/**
 * DWARF register numbers and their names: the x86-64 psABI numbering, and AArch64's (x0..x30 are
 * 0..30, sp is 31, as readelf names them); other machines print {@code rN}.
 */
public final class DwarfRegs {
  /** x86-64: %rsp. */
  public static final int X86_RSP = 7;
  /** x86-64: %rbp. */
  public static final int X86_RBP = 6;
  /** x86-64: the return address column (%rip). */
  public static final int X86_RA = 16;

  /** AArch64: the frame pointer, x29. */
  public static final int AARCH64_FP = 29;
  /** AArch64: the link register x30, the return address column. */
  public static final int AARCH64_LR = 30;
  /** AArch64: sp. */
  public static final int AARCH64_SP = 31;

  private static final String[] X86 = {
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"};

  private DwarfRegs() { }

  /** The name of DWARF register {@code reg} on ELF machine {@code machine}. */
  public static String name(int machine, int reg) {
    if (machine == Elf.EM_X86_64 && reg >= 0 && reg < X86.length) return X86[reg];
    if (machine == Elf.EM_AARCH64 && reg >= 0 && reg <= AARCH64_SP) return reg == AARCH64_SP ? "sp" : "x" + reg;
    return "r" + reg;
  }

  /** The DWARF number of the frame pointer on ELF machine {@code machine} (rbp, x29), or -1. */
  public static int framePointer(int machine) {
    return switch (machine) {
      case Elf.EM_X86_64 -> X86_RBP;
      case Elf.EM_AARCH64 -> AARCH64_FP;
      default -> -1;
    };
  }
}
