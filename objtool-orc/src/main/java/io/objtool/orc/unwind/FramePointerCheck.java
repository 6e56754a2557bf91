package io.objtool.orc.unwind;

import io.objtool.orc.Arm64OrcReg;
import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;
import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic frame-pointer validation: checks a frame-pointer unwind (the chain of frame records,
 * each the caller's saved frame pointer with the return address just above it) against the orc
 * table, frame by frame, and says for each whether following the frame pointer there gives the
 * true caller, and if not, why ({@link Reason}).
 *
 * <p>Two ways in. {@link #check(List)} judges a chain that {@link #walk} read, from its frame
 * pointers alone: on x86-64 by the shape of each frame's entry (cfa = bp + 16, the caller's bp
 * saved at bp), as the kernel's reliable-stacktrace check would; on arm64 with the 2022 series'
 * rules, the first frame trusted (its cfa seeded as fp - fp_offset). {@link #check(Regs,
 * StackMemory, int)} starts from a register snapshot (a stop, or an interrupted context) and
 * tracks the cfa from frame to frame on both architectures: the first frame's cfa from its
 * entry's base register, each caller's as the callee's cfa (the caller's sp at the call) plus
 * the caller's sp offset, or its fp plus the offset where the entry says the cfa is fp-based;
 * a frame is reliable when the frame record the walk reads is the one its entry says it saved,
 * fp == cfa + fp_offset. On arm64 an all-zero entry says the frame pointer is not reliable; a
 * return address that lands on the next function (a noreturn call ending a function) is looked
 * up again at pc - 4. A pt_regs frame (regs entry) is crossed when the record the walk reads
 * there names the interrupted pc and fp; the interrupted frame is then judged from those
 * registers, its pc exact. On arm64 a return address read from a frame record is first stripped
 * of its pointer-authentication code (pac-ret), as {@code xpaclri} would, for the virtual-address
 * size the check was made with ({@link #returnAddress}); {@link #chain} is {@link #walk} with that.
 */
public final class FramePointerCheck {
  private static final int FRAME_BYTES = 16;

  /** The architecture the table's entries are in: which registers the codes name, how return addresses are looked up. */
  public enum Arch {
    /** x86-64: {@link OrcReg} codes, bp is the frame pointer, return addresses looked up at ip - 1. */
    X86_64,
    /** arm64: {@link Arm64OrcReg} codes (2022 series), x29 is the frame pointer, return addresses at pc (or pc - 4). */
    ARM64
  }

  /** Why a frame is not reliable ({@link #RELIABLE} when it is). */
  public enum Reason {
    /** Following the frame pointer from this frame gives its caller (or the frame is the end of the stack). */
    RELIABLE,
    /** No orc entry at or below the frame's pc (code objtool did not see). */
    NO_ORC_ENTRY,
    /** The entry says the frame pointer is not reliable here (arm64: all zero; x86: undefined, a terminator). */
    FP_UNRELIABLE,
    /** A type code the format does not assign. */
    UNKNOWN_TYPE,
    /** x86 chain check: the entry is not a call frame (an exception frame) */
    NOT_A_CALL_FRAME,
    /** x86 chain check: the cfa is not bp + 16 with the caller's bp at bp (the frame pointer is not set up). */
    FP_NOT_SET_UP,
    /** The cfa is based on a register the check cannot know (x86 DRAP registers, indirect rules). */
    UNSUPPORTED_CFA_BASE,
    /** The caller's frame pointer is still in the frame-pointer register: no frame record yet (or any more). */
    NO_FRAME_RECORD,
    /** The caller's frame pointer is saved somewhere the check cannot read it from. */
    UNSUPPORTED_FP_RULE,
    /** The record the walk reads at fp is not where the entry says this frame saved it: fp != cfa + fp_offset. */
    FP_MISMATCH,
    /** x86: the return address is not right above the saved bp (bp offset not -16). */
    RETURN_ADDRESS_NOT_IN_RECORD,
    /** The frame record at fp cannot be read. */
    UNREADABLE_RECORD,
    /** The pt_regs frame at the cfa cannot be read. */
    UNREADABLE_REGS,
    /** The record read at a pt_regs frame does not name the interrupted pc and fp. */
    REGS_MISMATCH,
    /** Not reliable, for a reason the verdict's maker did not classify (never given by the check). */
    UNCLASSIFIED
  }

  /** One frame of a frame-pointer unwind: its ip and the frame pointer (bp, x29) while it runs. */
  public record FpFrame(long ip, long bp) {}

  /**
   * A register snapshot to start from: an exact pc (not a return address), sp and the frame
   * pointer (bp on x86, x29 on arm64).
   */
  public record Regs(long pc, long sp, long fp) {}

  /**
   * The verdict on one frame.
   *
   * @param frame the frame
   * @param reliable whether following the frame pointer from here gives the caller (or the frame is the end)
   * @param endOfStack whether the orc table (or a user-mode pt_regs) marks the frame as the outermost
   * @param why the reason, {@link Reason#RELIABLE} when reliable
   * @param reason why not reliable, with the ip and entry, or null
   */
  public record Verdict(FpFrame frame, boolean reliable, boolean endOfStack, Reason why, String reason) {
    /** A verdict without a {@link Reason}: {@link Reason#RELIABLE} or {@link Reason#UNCLASSIFIED} (the first API's constructor). */
    public Verdict(FpFrame frame, boolean reliable, boolean endOfStack, String reason) {
      this(frame, reliable, endOfStack, reliable ? Reason.RELIABLE : Reason.UNCLASSIFIED, reason);
    }
  }

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

  /** The virtual-address size arm64 Linux configures by default ({@code CONFIG_ARM64_VA_BITS}, 48). */
  public static final int DEFAULT_VA_BITS = 48;

  private final OrcLookup lookup;
  private final Arch arch;
  /** arm64: the bits of a virtual address; above them a saved return address may carry a PAC. */
  private final int vaBits;

  /** An x86-64 check that looks up the orc entry of each frame's ip in {@code lookup}. */
  public FramePointerCheck(OrcLookup lookup) {
    this(lookup, Arch.X86_64);
  }

  /** A check of {@code arch}'s frames against the entries in {@code lookup} (arm64: 48-bit virtual addresses). */
  public FramePointerCheck(OrcLookup lookup, Arch arch) {
    this(lookup, arch, DEFAULT_VA_BITS);
  }

  /**
   * A check of {@code arch}'s frames against the entries in {@code lookup}; on arm64 a return
   * address read from a frame record has its pointer-authentication code stripped for a
   * {@code vaBits}-bit virtual address space (see {@link #returnAddress}).
   *
   * @throws IllegalArgumentException if {@code vaBits} is not between 32 and 56 on arm64
   */
  public FramePointerCheck(OrcLookup lookup, Arch arch, int vaBits) {
    if (arch == Arch.ARM64 && (vaBits < 32 || vaBits > 56)) {
      throw new IllegalArgumentException("arm64 virtual addresses of " + vaBits + " bits (32..56)");
    }
    this.lookup = lookup;
    this.arch = arch;
    this.vaBits = vaBits;
  }

  /**
   * The return address a saved one stands for. On arm64, code built with pointer authentication
   * ({@code -mbranch-protection=pac-ret}: {@code paciasp} before x30 is stored in the frame record)
   * saves x30 with a PAC in the bits above the virtual address; as {@code xpaclri} does, those
   * bits become copies of bit 55 (zero for a user address, ones for a kernel one). A return address
   * without a PAC is unchanged. On x86-64 the saved value itself.
   */
  public long returnAddress(long saved) {
    if (arch != Arch.ARM64) return saved;
    long mask = (1L << vaBits) - 1;
    return (saved & (1L << 55)) != 0 ? saved | ~mask : saved & mask;
  }

  /**
   * {@link #walk} with this check's architecture: on arm64 each return address read from a frame
   * record is {@link #returnAddress stripped} of its pointer-authentication code.
   */
  public List<FpFrame> chain(StackMemory mem, long ip, long bp, int maxFrames) {
    return walk(mem, ip, bp, maxFrames, this::returnAddress);
  }

  /**
   * Walks the frame-pointer chain from a frame stopped at {@code ip} exactly: frame k+1 has ip
   * {@code [bp_k + 8]} and bp {@code [bp_k]} (x86's and arm64's frame records are laid out alike);
   * the walk ends at a zero or unreadable bp, a zero return address, a non-increasing bp, or
   * after {@code maxFrames}.
   */
  public static List<FpFrame> walk(StackMemory mem, long ip, long bp, int maxFrames) {
    return walk(mem, ip, bp, maxFrames, java.util.function.LongUnaryOperator.identity());
  }

  private static List<FpFrame> walk(StackMemory mem, long ip, long bp, int maxFrames, java.util.function.LongUnaryOperator ra) {
    List<FpFrame> chain = new ArrayList<>();
    chain.add(new FpFrame(ip, bp));
    while (chain.size() < maxFrames && bp != 0 && mem.readable(bp, FRAME_BYTES)) {
      long next = mem.read64(bp);
      long ret = ra.applyAsLong(mem.read64(bp + 8));
      if (ret == 0) break;
      chain.add(new FpFrame(ret, next));
      if (Long.compareUnsigned(next, bp) <= 0) break;
      bp = next;
    }
    return chain;
  }

  /**
   * Judges a frame-pointer unwind from its frame pointers alone. The first frame's ip is exact
   * (looked up as is), the others are return addresses. Frames after an end-of-stack frame are not
   * judged. x86: each frame by its entry's shape. arm64: the first frame's cfa is seeded as
   * fp - fp_offset, each caller's is the callee's plus its sp offset, and every later frame
   * needs fp == cfa + fp_offset; judging stops at the first unreliable frame, past which no cfa
   * is known. Without the stack's memory a regs (pt_regs) entry is {@link Reason#NOT_A_CALL_FRAME}
   * on both architectures.
   */
  public Report check(List<FpFrame> chain) {
    if (arch == Arch.ARM64) return arm64Chain(chain);
    List<Verdict> out = new ArrayList<>();
    int first = -1;
    for (int k = 0; k < chain.size(); k++) {
      FpFrame f = chain.get(k);
      Verdict v = judgeShape(f, k == 0 ? f.ip() : f.ip() - 1);
      out.add(v);
      if (!v.reliable() && first < 0) first = k;
      if (v.endOfStack()) break;
    }
    return new Report(List.copyOf(out), first);
  }

  private Verdict judgeShape(FpFrame f, long pc) {
    int i = lookup.find(pc);
    if (i < 0) return bad(f, Reason.NO_ORC_ENTRY, "no orc entry for ip 0x" + Long.toHexString(f.ip()));
    OrcEntry e = lookup.table().entry(i);
    OrcType kind = e.kind();
    if (kind == OrcType.END_OF_STACK) return new Verdict(f, true, true, Reason.RELIABLE, null);
    if (kind != OrcType.CALL) {
      return bad(f, Reason.NOT_A_CALL_FRAME, "orc entry at ip 0x" + Long.toHexString(f.ip()) + " is not a call frame (" + e + ")");
    }
    boolean cfaFromBp = e.spReg() == OrcReg.BP && e.spOffset() == FRAME_BYTES;
    boolean bpSaved = (e.bpReg() == OrcReg.PREV_SP && e.bpOffset() == -FRAME_BYTES)
        || (e.bpReg() == OrcReg.BP && e.bpOffset() == 0);
    if (cfaFromBp && bpSaved) return new Verdict(f, true, false, Reason.RELIABLE, null);
    return bad(f, Reason.FP_NOT_SET_UP, "frame pointer not set up at ip 0x" + Long.toHexString(f.ip()) + " (" + e + ")");
  }

  private Report arm64Chain(List<FpFrame> chain) {
    List<Verdict> out = new ArrayList<>();
    long cfa = 0;
    for (int k = 0; k < chain.size(); k++) {
      FpFrame f = chain.get(k);
      int i = find(f.ip(), k == 0);
      Verdict v = kindVerdict(f, i);
      if (v == null) {
        OrcEntry e = lookup.table().entry(i);
        Rule r = rule(e);
        if (r.bad != null) {
          v = bad(f, r.bad, describe(f, e, r.bad));
        } else if (k == 0 && r.fpSlotFromCfa) {
          cfa = f.bp() - r.fpOffset; // the seed: the first frame's fp is trusted
          v = new Verdict(f, true, false, Reason.RELIABLE, null);
        } else {
          long spAtCall = cfa;
          cfa = r.cfaFromFp ? f.bp() + r.cfaOffset : cfa + r.cfaOffset;
          v = callerVerdict(f, e, r, cfa, spAtCall);
        }
      }
      out.add(v);
      if (!v.reliable()) return new Report(List.copyOf(out), k);
      if (v.endOfStack()) break;
    }
    return new Report(List.copyOf(out), -1);
  }

  /**
   * Walks and judges from a register snapshot, tracking the cfa (see the class comment), up to
   * {@code maxFrames} frames; stops after the first unreliable frame, at the end of the stack
   * (an end-of-stack entry, a user-mode pt_regs, or a final record with a zero return address).
   * The verdicts' frames are {@link #walk}'s, crossing pt_regs frames where it does.
   */
  public Report check(Regs start, StackMemory mem, int maxFrames) {
    List<Verdict> out = new ArrayList<>();
    FpFrame f = new FpFrame(start.pc(), start.fp());
    long sp = start.sp(); // this frame's sp: the register, or the callee's cfa
    boolean exact = true;
    while (out.size() < maxFrames) {
      int i = find(f.ip(), exact);
      Verdict v = kindVerdict(f, i);
      if (v != null && v.why() != Reason.NOT_A_CALL_FRAME) return finish(out, v);
      OrcEntry e = lookup.table().entry(i);
      Rule r = rule(e);
      if (r.cfaBad != null) return finish(out, bad(f, r.cfaBad, describe(f, e, r.cfaBad)));
      long cfa = (r.cfaFromFp ? f.bp() : sp) + r.cfaOffset;
      if (v != null) { // a pt_regs frame at cfa
        Interrupted regs = ptRegs(mem, cfa, e.kind() == OrcType.REGS_PARTIAL);
        if (regs == null) return finish(out, bad(f, Reason.UNREADABLE_REGS, "pt_regs at 0x" + Long.toHexString(cfa) + " unreadable"));
        if (regs.user) return finish(out, new Verdict(f, true, true, Reason.RELIABLE, null));
        long fp = regs.fp == null ? f.bp() : regs.fp;
        if (!mem.readable(f.bp(), FRAME_BYTES) || returnAddress(mem.read64(f.bp() + 8)) != regs.pc || mem.read64(f.bp()) != fp) {
          return finish(out, bad(f, Reason.REGS_MISMATCH, "the frame record at 0x" + Long.toHexString(f.bp())
              + " does not name the interrupted pc 0x" + Long.toHexString(regs.pc) + " and fp 0x" + Long.toHexString(fp)));
        }
        out.add(new Verdict(f, true, false, Reason.RELIABLE, null));
        f = new FpFrame(regs.pc, fp);
        sp = regs.sp;
        exact = true;
        continue;
      }
      v = r.bad != null ? bad(f, r.bad, describe(f, e, r.bad)) : exact ? fpVerdict(f, e, r, cfa) : callerVerdict(f, e, r, cfa, sp);
      if (v.reliable() && !mem.readable(f.bp(), FRAME_BYTES)) {
        v = bad(f, Reason.UNREADABLE_RECORD, "frame record at 0x" + Long.toHexString(f.bp()) + " unreadable");
      }
      if (!v.reliable()) return finish(out, v);
      long next = mem.read64(f.bp());
      long ret = returnAddress(mem.read64(f.bp() + 8));
      if (ret == 0) return finish(out, new Verdict(f, true, true, Reason.RELIABLE, null)); // the final record
      // the caller's fp need not be a frame pointer (code without frame pointers uses it as it
      // likes): the caller's own entry judges it, as the next frame
      out.add(v);
      f = new FpFrame(ret, next);
      sp = cfa;
      exact = false;
    }
    return new Report(List.copyOf(out), -1);
  }

  private static Report finish(List<Verdict> out, Verdict last) {
    out.add(last);
    return new Report(List.copyOf(out), last.reliable() ? -1 : out.size() - 1);
  }

  /** The registers a pt_regs frame holds for the interrupted context; fp null when not saved (x86 iret-only frame). */
  private record Interrupted(long pc, long sp, Long fp, boolean user) {}

  private static final int ARM64_PT_REGS_BYTES = 34 * 8; // x0..x30, sp, pc, pstate

  private Interrupted ptRegs(StackMemory mem, long at, boolean partial) {
    if (arch == Arch.ARM64) {
      if (!mem.readable(at, ARM64_PT_REGS_BYTES)) return null;
      long pstate = mem.read64(at + 33 * 8);
      return new Interrupted(mem.read64(at + 32 * 8), mem.read64(at + 31 * 8), mem.read64(at + 29 * 8), (pstate & 0xf) == 0);
    }
    long base = partial ? at - PtReg.IRET_OFFSET : at;
    if (!mem.readable(base + PtReg.IP.offset(), PtReg.IRET_SIZE) || !partial && !mem.readable(base, PtReg.SIZE)) return null;
    long cs = mem.read64(base + PtReg.CS.offset());
    return new Interrupted(mem.read64(base + PtReg.IP.offset()), mem.read64(base + PtReg.SP.offset()),
        partial ? null : mem.read64(base + PtReg.BP.offset()), (cs & 3) != 0);
  }

  /** The index of the entry for a frame's pc: exact, a return address at ip - 1 (x86), or at pc then pc - 4 (arm64). */
  private int find(long pc, boolean exact) {
    if (exact) return lookup.find(pc);
    if (arch == Arch.X86_64) return lookup.find(pc - 1);
    int i = lookup.find(pc);
    // a noreturn call that ends a function returns to the next one (or its padding, or past the
    // section's terminator): the entry that starts right at the return address is not the caller's
    if (i < 0 || lookup.table().entry(i).kind() == OrcType.UNDEFINED || lookup.table().ip(i) == pc) {
      int j = lookup.find(pc - 4);
      if (j >= 0) return j;
    }
    return i;
  }

  /** The verdict a frame gets from its entry's kind alone, or null for a call frame (NOT_A_CALL_FRAME for a regs one). */
  private Verdict kindVerdict(FpFrame f, int i) {
    if (i < 0) return bad(f, Reason.NO_ORC_ENTRY, "no orc entry for ip 0x" + Long.toHexString(f.ip()));
    OrcEntry e = lookup.table().entry(i);
    OrcType kind = e.kind();
    if (kind == null) return bad(f, Reason.UNKNOWN_TYPE, describe(f, e, Reason.UNKNOWN_TYPE));
    return switch (kind) {
      case END_OF_STACK -> new Verdict(f, true, true, Reason.RELIABLE, null);
      case UNDEFINED -> bad(f, Reason.FP_UNRELIABLE, describe(f, e, Reason.FP_UNRELIABLE));
      case REGS, REGS_PARTIAL -> bad(f, Reason.NOT_A_CALL_FRAME, describe(f, e, Reason.NOT_A_CALL_FRAME));
      case CALL -> null;
    };
  }

  /**
   * An entry's rules in architecture-neutral terms.
   *
   * @param cfaFromFp the cfa is fp + cfaOffset (else sp + cfaOffset)
   * @param fpSlotFromCfa the caller's fp is saved at cfa + fpOffset (else at fp + fpOffset)
   * @param cfaBad why the cfa cannot be computed, or null
   * @param bad why the frame cannot be reliable whatever the registers (includes cfaBad), or null
   */
  private record Rule(boolean cfaFromFp, int cfaOffset, boolean fpSlotFromCfa, int fpOffset, Reason cfaBad, Reason bad) {}

  private Rule rule(OrcEntry e) {
    boolean cfaFromFp;
    Reason cfaBad = null;
    Reason bad = null;
    boolean fromCfa = true;
    if (arch == Arch.ARM64) {
      Arm64OrcReg sp = arm64(e.spReg());
      Arm64OrcReg fp = arm64(e.bpReg());
      cfaFromFp = sp == Arm64OrcReg.FP;
      if (sp != Arm64OrcReg.SP && sp != Arm64OrcReg.FP) cfaBad = Reason.UNSUPPORTED_CFA_BASE;
      if (fp == Arm64OrcReg.UNDEFINED) bad = Reason.NO_FRAME_RECORD;
      else if (fp != Arm64OrcReg.PREV_SP) bad = Reason.UNSUPPORTED_FP_RULE;
    } else {
      cfaFromFp = e.spReg() == OrcReg.BP;
      if (e.spReg() != OrcReg.SP && e.spReg() != OrcReg.BP) cfaBad = Reason.UNSUPPORTED_CFA_BASE;
      if (e.bpReg() == OrcReg.UNDEFINED) bad = Reason.NO_FRAME_RECORD;
      else if (e.bpReg() == OrcReg.BP) fromCfa = false;
      else if (e.bpReg() != OrcReg.PREV_SP) bad = Reason.UNSUPPORTED_FP_RULE;
    }
    return new Rule(cfaFromFp, e.spOffset(), fromCfa, e.bpOffset(), cfaBad, cfaBad != null ? cfaBad : bad);
  }

  private static Arm64OrcReg arm64(OrcReg r) {
    return r == null ? null : Arm64OrcReg.ofCode(r.code());
  }

  /**
   * {@link #fpVerdict} for a caller, whose sp at the call is its callee's cfa: where its cfa is
   * fp-based the fp test only checks the entry's shape, so the record must also lie at or above
   * that sp (a frame's record is inside its frame).
   */
  private Verdict callerVerdict(FpFrame f, OrcEntry e, Rule r, long cfa, long spAtCall) {
    if (r.cfaFromFp && Long.compareUnsigned(f.bp(), spAtCall) < 0) {
      return bad(f, Reason.FP_MISMATCH, "fp 0x" + Long.toHexString(f.bp()) + " is below the sp at the call 0x"
          + Long.toHexString(spAtCall) + " at ip 0x" + Long.toHexString(f.ip()) + " (" + text(e) + ")");
    }
    return fpVerdict(f, e, r, cfa);
  }

  /** The frame-record test: the record read at fp is where this frame saved its caller's fp (and, on x86, its return address is right above). */
  private Verdict fpVerdict(FpFrame f, OrcEntry e, Rule r, long cfa) {
    long slot = r.fpSlotFromCfa ? cfa + r.fpOffset : f.bp() + r.fpOffset;
    if (slot != f.bp()) {
      return bad(f, Reason.FP_MISMATCH, "fp 0x" + Long.toHexString(f.bp()) + " is not the frame record at cfa"
          + (r.fpOffset < 0 ? "" : "+") + r.fpOffset + " = 0x" + Long.toHexString(slot) + " at ip 0x"
          + Long.toHexString(f.ip()) + " (" + text(e) + ")");
    }
    if (arch == Arch.X86_64 && cfa != f.bp() + FRAME_BYTES) {
      return bad(f, Reason.RETURN_ADDRESS_NOT_IN_RECORD, describe(f, e, Reason.RETURN_ADDRESS_NOT_IN_RECORD));
    }
    return new Verdict(f, true, false, Reason.RELIABLE, null);
  }

  private String text(OrcEntry e) {
    return arch == Arch.ARM64 ? e.toArm64String() : e.toString();
  }

  private String describe(FpFrame f, OrcEntry e, Reason why) {
    return why.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " at ip 0x" + Long.toHexString(f.ip())
        + " (" + text(e) + ")";
  }

  private static Verdict bad(FpFrame f, Reason why, String text) {
    return new Verdict(f, false, false, why, text);
  }
}
