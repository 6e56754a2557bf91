package io.objtool.orc.unwind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The x86-64 {@code pt_regs} frame an exception entry pushes, word by word in memory order. A
 * regs orc entry has a full frame at its cfa; a regs-partial entry has only the iret part
 * ({@link #IP} to {@link #SS}) there.
 */
public enum PtReg {
  R15, R14, R13, R12, BP, BX, R11, R10, R9, R8, AX, CX, DX, SI, DI, ORIG_AX, IP, CS, FLAGS, SP, SS;

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
