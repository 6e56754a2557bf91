package io.objtool.orc;

import java.util.Locale;

/**
 * The two on-disk layouts of an orc entry. Both are 6 bytes: s16 sp (cfa) offset, s16 bp offset,
 * then a 16-bit little-endian word with the sp reg in bits 0-3 and the bp reg in bits 4-7.
 *
 * <ul>
 *   <li>{@link #CURRENT} (objtool 6.12): type in bits 8-10 (0 undefined, 1 end of stack, 2 call,
 *       3 regs, 4 regs partial), signal in bit 11, bits 12-15 unused.
 *   <li>{@link #V6_1} (objtool 6.1): type in bits 8-9 (0 call, 1 regs, 2 regs partial), end in
 *       bit 10, bits 11-15 unused. An entry with an undefined sp reg is undefined, or the end of
 *       the stack when its end bit is set.
 * </ul>
 *
 * Both layouts were established by dumping all 65,536 flag words with each reference objtool.
 * The format in use is {@link #CURRENT} unless the environment variable {@value #ENV} is
 * {@code 6.1}.
 */
public enum OrcFormat {
  /** The format of objtool 6.12 (and the kernels since 6.4): five type codes, the signal bit. */
  CURRENT("6.12", 3, 11, -1,
      new OrcType[] {OrcType.UNDEFINED, OrcType.END_OF_STACK, OrcType.CALL, OrcType.REGS, OrcType.REGS_PARTIAL}),
  /** The format of objtool 6.1: three type codes, undefined and end of stack through the sp reg and the end bit. */
  V6_1("6.1", 2, -1, 10, new OrcType[] {OrcType.CALL, OrcType.REGS, OrcType.REGS_PARTIAL});

  /** The environment variable that selects the format: {@code 6.1}, or {@code 6.12}/{@code current}. */
  public static final String ENV = "OBJTOOL_ORC_FORMAT";

  /** Bytes per orc entry in {@code .orc_unwind}, in both formats. */
  public static final int ENTRY_SIZE = 6;

  private static final int TYPE_SHIFT = 8;

  private final String version;
  private final int typeMask;
  private final int signalBit;
  private final int endBit;
  private final OrcType[] types;

  OrcFormat(String version, int typeBits, int signalBit, int endBit, OrcType[] types) {
    this.version = version;
    this.typeMask = (1 << typeBits) - 1;
    this.signalBit = signalBit;
    this.endBit = endBit;
    this.types = types;
  }

  /** The kernel version whose objtool writes this format ({@code 6.12} or {@code 6.1}). */
  public String version() {
    return version;
  }

  /** The format named by {@value #ENV} in {@code env}, {@link #CURRENT} when unset or empty. */
  public static OrcFormat fromEnvironment(java.util.Map<String, String> env) {
    return parse(env.get(ENV));
  }

  /**
   * {@code null}, empty, {@code 6.12} or {@code current} give {@link #CURRENT}; {@code 6.1} gives
   * {@link #V6_1}; anything else is an {@link IllegalArgumentException}.
   */
  public static OrcFormat parse(String name) {
    if (name == null) return CURRENT;
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "", "6.12", "current" -> CURRENT;
      case "6.1" -> V6_1;
      default -> throw new IllegalArgumentException(ENV + ": unknown orc format '" + name + "' (6.12 or 6.1)");
    };
  }

  /** Whether this format has a signal bit (6.12) rather than an end bit (6.1). */
  public boolean hasSignalBit() {
    return signalBit >= 0;
  }

  static int spRegCode(int flags) {
    return flags & 0xf;
  }

  static int bpRegCode(int flags) {
    return (flags >>> 4) & 0xf;
  }

  /** The raw type field of a flag word. */
  public int typeCode(int flags) {
    return (flags >>> TYPE_SHIFT) & typeMask;
  }

  /** The type a raw type code stands for in this format, or null for an unassigned code. */
  public OrcType typeOfCode(int code) {
    return code >= 0 && code < types.length ? types[code] : null;
  }

  /** The raw type code of {@code type}, or -1 when the format has no such code (6.1: undefined, end). */
  public int codeOf(OrcType type) {
    for (int i = 0; i < types.length; i++) if (types[i] == type) return i;
    return -1;
  }

  /** The signal bit (always false in 6.1). */
  public boolean signal(int flags) {
    return signalBit >= 0 && (flags >>> signalBit & 1) != 0;
  }

  /** The 6.1 end bit; in 6.12, whether the type is end of stack. */
  public boolean end(int flags) {
    if (endBit >= 0) return (flags >>> endBit & 1) != 0;
    return typeOfCode(typeCode(flags)) == OrcType.END_OF_STACK;
  }

  /**
   * What the entry means to an unwinder: in 6.12 its type; in 6.1 undefined or end of stack when
   * the sp reg is undefined, else its type. Null for an unassigned type code.
   */
  public OrcType kind(int flags) {
    if (endBit >= 0 && spRegCode(flags) == OrcReg.UNDEFINED.code()) {
      return end(flags) ? OrcType.END_OF_STACK : OrcType.UNDEFINED;
    }
    return typeOfCode(typeCode(flags));
  }

  /**
   * Packs a flag word. In 6.1, {@link OrcType#UNDEFINED} and {@link OrcType#END_OF_STACK} become
   * an undefined sp reg with type call, with the end bit clear or set; {@code signal} must be
   * false there.
   */
  public int pack(OrcType type, OrcReg spReg, OrcReg bpReg, boolean signal) {
    int sp = spReg.code();
    int flags;
    if (hasSignalBit()) {
      flags = codeOf(type) << TYPE_SHIFT | (signal ? 1 << signalBit : 0);
    } else {
      if (signal) throw new IllegalArgumentException("the 6.1 orc format has no signal bit");
      int code = codeOf(type);
      if (code < 0) {
        sp = OrcReg.UNDEFINED.code();
        code = codeOf(OrcType.CALL);
      }
      flags = code << TYPE_SHIFT | (type == OrcType.END_OF_STACK ? 1 << endBit : 0);
    }
    return flags | bpReg.code() << 4 | sp;
  }

  /**
   * The text objtool's {@code --dump=orc} prints after the ip of an entry, without the newline:
   * {@code type:call sp:sp+8 bp:(und) signal:0} (6.12) or
   * {@code  sp:sp+8 bp:(und) type:call end:0} (6.1, with its leading space).
   */
  public String describe(int spOffset, int bpOffset, int flags) {
    OrcType t = typeOfCode(typeCode(flags));
    String type = t == null ? "?" : t.dumpName();
    String sp = OrcReg.describe(spRegCode(flags), spOffset);
    String bp = OrcReg.describe(bpRegCode(flags), bpOffset);
    if (hasSignalBit()) {
      return "type:" + type + " sp:" + sp + " bp:" + bp + " signal:" + (signal(flags) ? 1 : 0);
    }
    return " sp:" + sp + " bp:" + bp + " type:" + type + " end:" + (end(flags) ? 1 : 0);
  }

  /**
   * The dump text of an arm64 entry ({@link Arm64OrcReg} codes; arm64 ORC always uses the
   * {@link #CURRENT} layout): {@code type:call sp:sp+32 fp:prev_sp-32 signal:0}.
   */
  public static String describeArm64(int spOffset, int fpOffset, int flags) {
    OrcType t = CURRENT.typeOfCode(CURRENT.typeCode(flags));
    return "type:" + (t == null ? "?" : t.dumpName()) + " sp:" + Arm64OrcReg.describe(spRegCode(flags), spOffset)
        + " fp:" + Arm64OrcReg.describe(bpRegCode(flags), fpOffset) + " signal:" + (CURRENT.signal(flags) ? 1 : 0);
  }

  /** An arm64 flag word in the {@link #CURRENT} layout: type, cfa base, fp base, signal. */
  public static int packArm64(OrcType type, Arm64OrcReg spReg, Arm64OrcReg fpReg, boolean signal) {
    return CURRENT.codeOf(type) << TYPE_SHIFT | (signal ? 1 << CURRENT.signalBit : 0) | fpReg.code() << 4 | spReg.code();
  }
}
