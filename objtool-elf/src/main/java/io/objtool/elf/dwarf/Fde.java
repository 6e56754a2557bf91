package io.objtool.elf.dwarf;

import io.objtool.elf.Section;
import java.util.List;

/**
 * A Frame Description Entry: the CFA program for the code from {@code start} for {@code length}
 * bytes. In a relocatable object {@code target} is the code section its {@code initial_location}
 * relocation points into and {@code start} the offset there; without a relocation {@code target}
 * is null and {@code start} the address. {@code offset} is where it sits in {@code section}.
 */
public final class Fde {
  private final Section section;
  private final long offset;
  private final Cie cie;
  private final Section target;
  private final long start;
  private final long length;
  private final byte[] instructions;
  private final CfaProgram.Initial initial;
  private List<CfiRow> rows;

  Fde(Section section, long offset, Cie cie, CfaProgram.Initial initial, Section target, long start, long length,
      byte[] instructions) {
    this.section = section;
    this.offset = offset;
    this.cie = cie;
    this.target = target;
    this.start = start;
    this.length = length;
    this.instructions = instructions;
    this.initial = initial;
  }

  /** The frame section ({@code .eh_frame} or {@code .debug_frame}). */
  public Section section() { return section; }
  /** Where the FDE starts in {@link #section()}. */
  public long offset() { return offset; }
  /** Its CIE. */
  public Cie cie() { return cie; }
  /** The code section described, or null (no relocation: {@link #start()} is an address). */
  public Section target() { return target; }
  /** The first offset (or address) described. */
  public long start() { return start; }
  /** How many bytes are described. */
  public long length() { return length; }
  /** The end of the range described (exclusive). */
  public long end() { return start + length; }
  /** The FDE's own CFA instructions (after the CIE's initial ones). */
  public byte[] instructions() { return instructions.clone(); }

  /**
   * The table: the rows of the CIE's and this FDE's programs, in address order, each valid until
   * the next (the last until {@link #end()}); the first is at {@link #start()}. A malformed
   * program raises {@link io.objtool.elf.MalformedElfException}.
   */
  public synchronized List<CfiRow> rows() {
    if (rows == null) rows = List.copyOf(CfaProgram.run(this, initial));
    return rows;
  }

  /**
   * The row in force at {@code off}, or null when {@code off} is outside {@code [start, end)}
   * (addresses are unsigned, and the range may end at the top of the address space).
   */
  public CfiRow rowAt(long off) {
    if (Long.compareUnsigned(off - start, length) >= 0) return null;
    List<CfiRow> r = rows();
    int lo = 0, hi = r.size() - 1, best = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(r.get(mid).offset(), off) <= 0) { best = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return best < 0 ? null : r.get(best);
  }

  byte[] rawInstructions() { return instructions; }

  @Override
  public String toString() {
    return "FDE " + section.name() + "+0x" + Long.toHexString(offset) + " for "
        + (target == null ? "" : target.name() + "+") + "0x" + Long.toHexString(start) + "..0x" + Long.toHexString(end());
  }
}
