package io.objtool.orc.unwind;

import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic frame-pointer validation: checks a frame-pointer unwind (the chain of saved bp values,
 * each frame's return address just above its saved bp) against the orc table. A frame is
 * reliable when the orc entry at its ip says the frame pointer is set up there: cfa = bp + 16 and
 * the caller's bp saved at cfa - 16 (that is, at bp). Anywhere else (before the push of bp, after
 * its pop, in a function without a frame, in an exception frame) following bp skips or invents a
 * caller.
 */
public final class FramePointerCheck {
  private static final int FRAME_BYTES = 16;

  /** One frame of a frame-pointer unwind: its ip and the bp value while it runs. */
  public record FpFrame(long ip, long bp) {}

  /**
   * The verdict on one frame.
   *
   * @param frame the frame
   * @param reliable whether bp is this frame's frame pointer at its ip (or the frame is the end)
   * @param endOfStack whether the orc table marks the frame as the outermost
   * @param reason why not reliable, or null
   */
  public record Verdict(FpFrame frame, boolean reliable, boolean endOfStack, String reason) {}

  /**
   * The verdicts, innermost first, and the index of the first unreliable frame (-1 if none).
   *
   * @param verdicts one per frame checked
   * @param firstUnreliable index into {@code verdicts}, or -1
   */
  public record Report(List<Verdict> verdicts, int firstUnreliable) {
    /** Whether every frame was reliable. */
    public boolean reliable() {
      return firstUnreliable < 0;
    }
  }

  private final OrcLookup lookup;

  /** A check that looks up the orc entry of each frame's ip in {@code lookup}. */
  public FramePointerCheck(OrcLookup lookup) {
    this.lookup = lookup;
  }

  /**
   * Walks the bp chain from a frame stopped at {@code ip} exactly: frame k+1 has ip {@code [bp_k + 8]}
   * and bp {@code [bp_k]}; the walk ends at a zero or unreadable bp, a non-increasing bp, or after
   * {@code maxFrames}.
   */
  public static List<FpFrame> walk(StackMemory mem, long ip, long bp, int maxFrames) {
    List<FpFrame> chain = new ArrayList<>();
    chain.add(new FpFrame(ip, bp));
    while (chain.size() < maxFrames && bp != 0 && mem.readable(bp, FRAME_BYTES)) {
      long next = mem.read64(bp);
      long ret = mem.read64(bp + 8);
      if (ret == 0) break;
      chain.add(new FpFrame(ret, next));
      if (Long.compareUnsigned(next, bp) <= 0) break;
      bp = next;
    }
    return chain;
  }

  /**
   * Judges a frame-pointer unwind. The first frame's ip is exact (looked up as is), the others
   * are return addresses (looked up as ip - 1). Frames after an end-of-stack frame are not judged.
   */
  public Report check(List<FpFrame> chain) {
    List<Verdict> out = new ArrayList<>();
    int first = -1;
    for (int k = 0; k < chain.size(); k++) {
      FpFrame f = chain.get(k);
      Verdict v = judge(f, k == 0 ? f.ip() : f.ip() - 1);
      out.add(v);
      if (!v.reliable() && first < 0) first = k;
      if (v.endOfStack()) break;
    }
    return new Report(List.copyOf(out), first);
  }

  private Verdict judge(FpFrame f, long pc) {
    int i = lookup.find(pc);
    if (i < 0) return new Verdict(f, false, false, "no orc entry for ip 0x" + Long.toHexString(f.ip()));
    OrcEntry e = lookup.table().entry(i);
    OrcType kind = e.kind();
    if (kind == OrcType.END_OF_STACK) return new Verdict(f, true, true, null);
    if (kind != OrcType.CALL) {
      return new Verdict(f, false, false, "orc entry at ip 0x" + Long.toHexString(f.ip()) + " is not a call frame (" + e + ")");
    }
    boolean cfaFromBp = e.spReg() == OrcReg.BP && e.spOffset() == FRAME_BYTES;
    boolean bpSaved = (e.bpReg() == OrcReg.PREV_SP && e.bpOffset() == -FRAME_BYTES)
        || (e.bpReg() == OrcReg.BP && e.bpOffset() == 0);
    if (cfaFromBp && bpSaved) return new Verdict(f, true, false, null);
    return new Verdict(f, false, false, "frame pointer not set up at ip 0x" + Long.toHexString(f.ip()) + " (" + e + ")");
  }
}
