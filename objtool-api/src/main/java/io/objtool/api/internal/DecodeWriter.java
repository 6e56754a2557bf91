package io.objtool.api.internal;

import io.objtool.api.arch.DecodeStatus;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnType;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;

/**
 * The writer side of {@link DecodedInsn}, for decoders: {@code DecodedInsn} is read-only in the
 * exported architecture SPI, and this package is exported only to the project's own modules (the
 * x86 decoder among them), so a plug-in cannot rewrite a decoding.
 */
public final class DecodeWriter {
  private DecodeWriter() {}

  /** The arch package's side, implemented inside {@code io.objtool.api.arch}. */
  public abstract static class Access {
    /** Only {@code io.objtool.api.arch} implements it. */
    protected Access() {}

    /** See {@link DecodeWriter#reset}. */
    public abstract void reset(DecodedInsn d);

    /** See {@link DecodeWriter#set}. */
    public abstract void set(DecodedInsn d, int length, int type, boolean hasImm, long immediate, int flags, int map,
        int opcode, int modrm, int dispOffset, int dispSize, int immOffset, int immSize);

    /** See {@link DecodeWriter#setResult}. */
    public abstract void setResult(DecodedInsn d, DecodeStatus status, int length);

    /** See {@link DecodeWriter#setType}. */
    public abstract void setType(DecodedInsn d, InsnType type);

    /** See {@link DecodeWriter#setImmediate}. */
    public abstract void setImmediate(DecodedInsn d, long immediate);

    /** See {@link DecodeWriter#addFlags}. */
    public abstract void addFlags(DecodedInsn d, int f);

    /** See {@link DecodeWriter#setOpcode}. */
    public abstract void setOpcode(DecodedInsn d, int map, int opcode, int modrm);

    /** See {@link DecodeWriter#setLayout}. */
    public abstract void setLayout(DecodedInsn d, int dispOffset, int dispSize, int immOffset, int immSize);

    /** See {@link DecodeWriter#addStackOp}. */
    public abstract void addStackOp(DecodedInsn d, OpSrcType srcType, int srcReg, int srcOffset, OpDestType destType,
        int destReg, int destOffset);
  }

  private static Access pending;

  /** Holds the installed access as a constant (initialised on first use, after the install). */
  private static final class A {
    private static final Access A = load();

    private static Access load() {
      try {
        Class.forName(DecodedInsn.class.getName(), true, DecodeWriter.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      synchronized (DecodeWriter.class) {
        if (pending == null) throw new IllegalStateException("decode writer access not installed");
        return pending;
      }
    }
  }

  /**
   * Called once, by {@link DecodedInsn}'s class initialisation.
   *
   * @throws IllegalStateException on a second call
   */
  public static synchronized void install(Access access) {
    if (pending != null) throw new IllegalStateException("decode writer access already installed");
    pending = access;
  }

  /** Resets everything; a decoder calls this first. */
  public static void reset(DecodedInsn d) {
    A.A.reset(d);
  }

  /**
   * Records a successful decoding in one call (the hot path): everything but the stack ops,
   * which are cleared.
   *
   * @param d          the result to fill
   * @param length     instruction length
   * @param type       {@link InsnType} ordinal
   * @param hasImm     whether {@code immediate} is meaningful ({@link DecodedInsn#F_IMMEDIATE})
   * @param immediate  immediate or branch displacement
   * @param flags      other {@code F_*} flags
   * @param map        opcode map
   * @param opcode     opcode byte
   * @param modrm      ModRM byte or -1
   * @param dispOffset offset of the displacement in the instruction
   * @param dispSize   displacement size
   * @param immOffset  offset of the immediate in the instruction
   * @param immSize    immediate size
   */
  public static void set(DecodedInsn d, int length, int type, boolean hasImm, long immediate, int flags, int map,
      int opcode, int modrm, int dispOffset, int dispSize, int immOffset, int immSize) {
    A.A.set(d, length, type, hasImm, immediate, flags, map, opcode, modrm, dispOffset, dispSize, immOffset, immSize);
  }

  /** Records the decoding outcome and instruction length. */
  public static void setResult(DecodedInsn d, DecodeStatus status, int length) {
    A.A.setResult(d, status, length);
  }

  /** Sets the instruction type. */
  public static void setType(DecodedInsn d, InsnType type) {
    A.A.setType(d, type);
  }

  /** Sets the immediate (and {@link DecodedInsn#F_IMMEDIATE}). */
  public static void setImmediate(DecodedInsn d, long immediate) {
    A.A.setImmediate(d, immediate);
  }

  /** Adds flags ({@code DecodedInsn.F_*}). */
  public static void addFlags(DecodedInsn d, int f) {
    A.A.addFlags(d, f);
  }

  /** Records the opcode map, opcode and ModRM (-1 for none). */
  public static void setOpcode(DecodedInsn d, int map, int opcode, int modrm) {
    A.A.setOpcode(d, map, opcode, modrm);
  }

  /** Records where the displacement and immediate sit inside the instruction. */
  public static void setLayout(DecodedInsn d, int dispOffset, int dispSize, int immOffset, int immSize) {
    A.A.setLayout(d, dispOffset, dispSize, immOffset, immSize);
  }

  /**
   * Appends a stack op.
   *
   * @throws IllegalStateException past {@link DecodedInsn#MAX_STACK_OPS}
   */
  public static void addStackOp(DecodedInsn d, OpSrcType srcType, int srcReg, int srcOffset, OpDestType destType,
      int destReg, int destOffset) {
    A.A.addStackOp(d, srcType, srcReg, srcOffset, destType, destReg, destOffset);
  }
}
