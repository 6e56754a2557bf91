package io.objtool.orc.unwind;

import java.util.ArrayList;
import java.util.List;

/**
 * Unwinds stack snapshots with an orc table: starts from an ip/sp/bp or from a pt_regs frame in
 * memory, and steps out frame by frame (see {@link UnwindCursor}) until the end of the stack or a
 * stop.
 */
public final class OrcUnwinder {
  /** The default frame limit of {@link #unwind(Frame)}. */
  public static final int MAX_FRAMES = 4096;

  private final OrcLookup lookup;
  private final StackMemory mem;

  /** An unwinder finding each frame's orc entry in {@code lookup} and reading the stack from {@code mem}. */
  public OrcUnwinder(OrcLookup lookup, StackMemory mem) {
    this.lookup = lookup;
    this.mem = mem;
  }

  /**
   * A start frame stopped at {@code ip} exactly (a breakpoint, an interrupt): the ip is looked up
   * as is.
   */
  public static Frame at(long ip, long sp, long bp) {
    return new Frame(ip, sp, bp, Frame.NO_REGS, false, true);
  }

  /** A start frame whose ip is a return address (a sleeping task's saved frame): looked up as ip - 1. */
  public static Frame returningTo(long ip, long sp, long bp) {
    return new Frame(ip, sp, bp, Frame.NO_REGS, false, false);
  }

  /**
   * A start frame from a pt_regs frame at {@code regs} in memory (full, or iret-only when
   * {@code full} is false: then bp is given separately); null when the frame is unreadable.
   */
  public Frame fromRegs(long regs, boolean full, long bp) {
    if (full) {
      if (!mem.readable(regs, PtReg.SIZE)) return null;
      return new Frame(mem.read64(regs + PtReg.IP.offset()), mem.read64(regs + PtReg.SP.offset()),
          mem.read64(regs + PtReg.BP.offset()), regs, true, true);
    }
    if (!mem.readable(regs + PtReg.IRET_OFFSET, PtReg.IRET_SIZE)) return null;
    return new Frame(mem.read64(regs + PtReg.IP.offset()), mem.read64(regs + PtReg.SP.offset()), bp, regs, false, true);
  }

  /** A cursor at {@code start}, for stepping by hand. */
  public UnwindCursor cursor(Frame start) {
    return new UnwindCursor(lookup, mem, start);
  }

  /** Unwinds from {@code start} to the end, at most {@link #MAX_FRAMES} frames. */
  public Unwind unwind(Frame start) {
    return unwind(start, MAX_FRAMES);
  }

  /** Unwinds from {@code start}, at most {@code maxFrames} frames (the start frame included). */
  public Unwind unwind(Frame start, int maxFrames) {
    UnwindCursor c = cursor(start);
    List<Frame> frames = new ArrayList<>();
    frames.add(c.frame());
    while (c.next()) {
      frames.add(c.frame());
      if (frames.size() >= maxFrames) {
        c.stop(StopReason.FRAME_LIMIT, "stopped after " + maxFrames + " frames at ip 0x" + Long.toHexString(c.ip()));
        break;
      }
    }
    return new Unwind(List.copyOf(frames), c.stopReason(), c.stopMessage());
  }
}
