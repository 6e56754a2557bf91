package io.objtool.orc;

import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * One orc entry as stored in {@code .orc_unwind}: the sp (cfa) offset, the bp offset and the
 * flag word (sp reg, bp reg, type and signal or end bit), read in the layout of {@code format}.
 * Decoding never fails: unassigned reg or type codes decode to null and dump as {@code ?}.
 *
 * @param format the layout the flag word is in
 * @param spOffset cfa = sp reg + spOffset (or the indirect forms)
 * @param bpOffset where the caller's bp is saved, relative to the bp reg
 * @param flags the raw 16-bit flag word
 */
public record OrcEntry(OrcFormat format, short spOffset, short bpOffset, short flags) {

  /** Builds an entry from its parts; see {@link OrcFormat#pack}. */
  public static OrcEntry of(OrcFormat format, OrcType type, OrcReg spReg, int spOffset, OrcReg bpReg,
      int bpOffset, boolean signal) {
    return new OrcEntry(format, checkS16(spOffset), checkS16(bpOffset), (short) format.pack(type, spReg, bpReg, signal));
  }

  /**
   * An arm64 entry ({@link OrcFormat#CURRENT} layout): cfa = {@code spReg + spOffset}, the
   * caller's x29 at {@code fpReg + fpOffset}.
   */
  public static OrcEntry arm64(OrcType type, Arm64OrcReg spReg, int spOffset, Arm64OrcReg fpReg, int fpOffset, boolean signal) {
    return new OrcEntry(OrcFormat.CURRENT, checkS16(spOffset), checkS16(fpOffset),
        (short) OrcFormat.packArm64(type, spReg, fpReg, signal));
  }

  /** A call frame: cfa = {@code spReg + spOffset}, caller's bp as given. */
  public static OrcEntry call(OrcFormat format, OrcReg spReg, int spOffset, OrcReg bpReg, int bpOffset) {
    return of(format, OrcType.CALL, spReg, spOffset, bpReg, bpOffset, false);
  }

  /** The entry objtool writes where it knows nothing (and as a section terminator). */
  public static OrcEntry undefined(OrcFormat format) {
    return of(format, OrcType.UNDEFINED, OrcReg.UNDEFINED, 0, OrcReg.UNDEFINED, 0, false);
  }

  /** The outermost frame of a stack. */
  public static OrcEntry endOfStack(OrcFormat format) {
    return of(format, OrcType.END_OF_STACK, OrcReg.UNDEFINED, 0, OrcReg.UNDEFINED, 0, false);
  }

  private static short checkS16(int v) {
    if (v != (short) v) throw new IllegalArgumentException("orc offset " + v + " does not fit in 16 bits");
    return (short) v;
  }

  /** Reads the entry at byte {@code offset} of {@code data} (little-endian). */
  public static OrcEntry read(OrcFormat format, MemorySegment data, long offset) {
    return new OrcEntry(format, data.get(JAVA_SHORT_UNALIGNED, offset), data.get(JAVA_SHORT_UNALIGNED, offset + 2),
        data.get(JAVA_SHORT_UNALIGNED, offset + 4));
  }

  /** Writes the entry's 6 bytes at byte {@code offset} of {@code data}. */
  public void write(MemorySegment data, long offset) {
    data.set(JAVA_SHORT_UNALIGNED, offset, spOffset);
    data.set(JAVA_SHORT_UNALIGNED, offset + 2, bpOffset);
    data.set(JAVA_SHORT_UNALIGNED, offset + 4, flags);
  }

  /** The entry's 6 bytes. */
  public byte[] toBytes() {
    byte[] b = new byte[OrcFormat.ENTRY_SIZE];
    write(MemorySegment.ofArray(b), 0);
    return b;
  }

  /** The flag word as an unsigned int. */
  public int rawFlags() {
    return flags & 0xffff;
  }

  /** The sp (cfa base) reg, or null for an unassigned code. */
  public OrcReg spReg() {
    return OrcReg.ofCode(OrcFormat.spRegCode(rawFlags()));
  }

  /** The bp reg, or null for an unassigned code. */
  public OrcReg bpReg() {
    return OrcReg.ofCode(OrcFormat.bpRegCode(rawFlags()));
  }

  /** The type field as the format defines it (6.1: call, regs or regs partial), null if unassigned. */
  public OrcType type() {
    return format.typeOfCode(format.typeCode(rawFlags()));
  }

  /** What the entry means to an unwinder; see {@link OrcFormat#kind}. */
  public OrcType kind() {
    return format.kind(rawFlags());
  }

  /** The signal bit: the ip is not a return address, so look it up as is (6.12 only). */
  public boolean signal() {
    return format.signal(rawFlags());
  }

  /** The 6.1 end bit, or in 6.12 whether the type is end of stack. */
  public boolean end() {
    return format.end(rawFlags());
  }

  /** A weak section terminator: sorted before a real entry at the same ip. */
  public boolean isUndefined() {
    return kind() == OrcType.UNDEFINED;
  }

  /** The dump text of this entry read as an arm64 one ({@link OrcFormat#describeArm64}). */
  public String toArm64String() {
    return OrcFormat.describeArm64(spOffset, bpOffset, rawFlags());
  }

  /** The dump text, as {@code objtool --dump=orc} prints it after the ip. */
  @Override
  public String toString() {
    return format.describe(spOffset, bpOffset, rawFlags());
  }
}
