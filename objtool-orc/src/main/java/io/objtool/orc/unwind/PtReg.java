package io.objtool.orc.unwind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The x86-64 {@code pt_regs} frame an exception entry pushes, word by word in memory order. A
 * regs orc entry has a full frame at its cfa; a regs-partial entry has only the iret part
 * ({@link #IP} to {@link #SS}) there.
 */
public enum PtReg {
  /** Saved %r15. */
  R15,
  /** Saved %r14. */
  R14,
  /** Saved %r13. */
  R13,
  /** Saved %r12. */
  R12,
  /** Saved %rbp. */
  BP,
  /** Saved %rbx. */
  BX,
  /** Saved %r11. */
  R11,
  /** Saved %r10. */
  R10,
  /** Saved %r9. */
  R9,
  /** Saved %r8. */
  R8,
  /** Saved %rax. */
  AX,
  /** Saved %rcx. */
  CX,
  /** Saved %rdx. */
  DX,
  /** Saved %rsi. */
  SI,
  /** Saved %rdi. */
  DI,
  /** The system call number (or error code) the entry saved. */
  ORIG_AX,
  /** The interrupted %rip (iret frame). */
  IP,
  /** The interrupted code segment (iret frame). */
  CS,
  /** The interrupted %rflags (iret frame). */
  FLAGS,
  /** The interrupted %rsp (iret frame). */
  SP,
  /** The interrupted stack segment (iret frame). */
  SS;

  /** Bytes in a full frame. */
  public static final int SIZE = 21 * 8;
  /** Where the iret frame starts in a full frame. */
  public static final int IRET_OFFSET = 16 * 8;
  /** Bytes in the iret frame (ip, cs, flags, sp, ss). */
  public static final int IRET_SIZE = SIZE - IRET_OFFSET;

  /** Byte offset in a full frame. */
  public int offset() {
    return ordinal() * 8;
  }

  /** A full frame's bytes from 21 values in enum order. */
  public static byte[] frame(long... values) {
    if (values.length != values().length) throw new IllegalArgumentException("pt_regs has 21 words, got " + values.length);
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) b.putLong(v);
    return b.array();
  }
}
