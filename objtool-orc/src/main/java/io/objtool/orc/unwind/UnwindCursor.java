package io.objtool.orc.unwind;

import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;

/**
 * A stack walk in progress: the current frame, and {@link #next()} to step to its caller using
 * the orc entry covering the ip (ip - 1 for a return address, so that calls to noreturn
 * functions and sibling calls find the caller's entry).
 *
 * <p>The cfa is found from the entry's sp reg: sp or bp plus the offset, {@code *(sp) + offset}
 * (sp indirect), {@code *(bp + offset)} (bp indirect), or r10, r13, di or dx from a full regs
 * frame plus the offset. A call frame's return address is the word below the cfa and the caller's
 * sp is the cfa; a regs frame has the caller's ip and sp in the pt_regs at the cfa (a partial one
 * has the iret part there). The caller's bp is read from the cfa or bp plus the bp offset, or
 * taken from a full regs frame when undefined. Every stop is recorded as a {@link StopReason}
 * and a message; the frame stays the last one reached.
 */
public final class UnwindCursor {
  private final OrcLookup lookup;
  private final OrcTable table;
  private final OrcFormat format;
  private final StackMemory mem;

  private long ip;
  private long sp;
  private long bp;
  private long regs;
  private boolean fullRegs;
  private boolean signal;
  private StopReason stop;
  private String message;

  UnwindCursor(OrcLookup lookup, StackMemory mem, Frame start) {
    this.lookup = lookup;
    this.table = lookup.table();
    this.format = table.format();
    this.mem = mem;
    this.ip = start.ip();
    this.sp = start.sp();
    this.bp = start.bp();
    this.regs = start.regs();
    this.fullRegs = start.fullRegs();
    this.signal = start.signal();
  }

  /** The current frame. */
  public Frame frame() {
    return new Frame(ip, sp, bp, regs, fullRegs, signal);
  }

  /** The current frame's instruction pointer. */
  public long ip() { return ip; }
  /** The current frame's stack pointer. */
  public long sp() { return sp; }
  /** The current frame's frame pointer (%rbp). */
  public long bp() { return bp; }

  /** Why the walk stopped, or null while it goes on. */
  public StopReason stopReason() { return stop; }

  /** The stop explained, or null. */
  public String stopMessage() { return message; }

  /** Stops the walk from outside (frame limits). */
  void stop(StopReason reason, String why) {
    stop = reason;
    message = why;
  }

  private boolean fail(StopReason reason, String why) {
    stop(reason, why);
    return false;
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  /** Steps to the caller's frame; false (with a stop reason) when there is none. */
  public boolean next() {
    if (stop != null) return false;
    if (regs != Frame.NO_REGS && mem.readable(regs + PtReg.CS.offset(), 8) && (mem.read64(regs + PtReg.CS.offset()) & 3) != 0) {
      return fail(StopReason.USER_MODE, "regs at " + hex(regs) + " are from user mode");
    }
    int i = lookup.find(signal ? ip : ip - 1);
    if (i < 0) return fail(StopReason.NO_ORC_ENTRY, "no orc entry for ip " + hex(ip));
    int flags = table.flags(i);
    OrcType kind = format.kind(flags);
    if (kind == null) return fail(StopReason.UNKNOWN_TYPE, "unknown orc type " + format.typeCode(flags) + " for ip " + hex(ip));
    if (kind == OrcType.UNDEFINED) return fail(StopReason.UNDEFINED_ORC, "undefined orc entry for ip " + hex(ip));
    if (kind == OrcType.END_OF_STACK) return fail(StopReason.END_OF_STACK, "end of stack at ip " + hex(ip));

    int spReg = flags & 0xf;
    long off = table.spOffset(i);
    long cfa;
    if (spReg == OrcReg.SP.code()) {
      cfa = sp + off;
    } else if (spReg == OrcReg.BP.code()) {
      cfa = bp + off;
    } else if (spReg == OrcReg.SP_INDIRECT.code()) {
      if (!mem.readable(sp, 8)) return fail(StopReason.UNREADABLE_MEMORY, "can't read the indirect cfa at sp " + hex(sp) + " for ip " + hex(ip));
      cfa = mem.read64(sp) + off;
    } else if (spReg == OrcReg.BP_INDIRECT.code()) {
      if (!mem.readable(bp + off, 8)) return fail(StopReason.UNREADABLE_MEMORY, "can't read the indirect cfa at " + hex(bp + off) + " for ip " + hex(ip));
      cfa = mem.read64(bp + off);
    } else if (spReg == OrcReg.R10.code() || spReg == OrcReg.R13.code() || spReg == OrcReg.DI.code() || spReg == OrcReg.DX.code()) {
      PtReg r = spReg == OrcReg.R10.code() ? PtReg.R10 : spReg == OrcReg.R13.code() ? PtReg.R13 : spReg == OrcReg.DI.code() ? PtReg.DI : PtReg.DX;
      if (regs == Frame.NO_REGS || !fullRegs) {
        return fail(StopReason.MISSING_REGS, "missing regs for base reg " + r.name().toLowerCase() + " at ip " + hex(ip));
      }
      if (!mem.readable(regs + r.offset(), 8)) return fail(StopReason.UNREADABLE_REGS, "can't read " + r.name().toLowerCase() + " in regs at " + hex(regs));
      cfa = mem.read64(regs + r.offset()) + off;
    } else {
      return fail(StopReason.UNKNOWN_SP_REG, "unknown sp base reg " + spReg + " for ip " + hex(ip));
    }

    long newIp, newSp, newRegs;
    boolean newFull, newSignal;
    switch (kind) {
      case CALL -> {
        if (!mem.readable(cfa - 8, 8)) return fail(StopReason.UNREADABLE_MEMORY, "can't read the return address at " + hex(cfa - 8) + " for ip " + hex(ip));
        newIp = mem.read64(cfa - 8);
        newSp = cfa;
        newRegs = Frame.NO_REGS;
        newFull = false;
        newSignal = format.signal(flags);
      }
      case REGS -> {
        if (!mem.readable(cfa, PtReg.SIZE)) return fail(StopReason.UNREADABLE_REGS, "can't read regs at " + hex(cfa) + " for ip " + hex(ip));
        newIp = mem.read64(cfa + PtReg.IP.offset());
        newSp = mem.read64(cfa + PtReg.SP.offset());
        newRegs = cfa;
        newFull = true;
        newSignal = true;
      }
      default -> { // REGS_PARTIAL: the iret frame is at the cfa
        if (!mem.readable(cfa, PtReg.IRET_SIZE)) return fail(StopReason.UNREADABLE_REGS, "can't read iret regs at " + hex(cfa) + " for ip " + hex(ip));
        newIp = mem.read64(cfa);
        newSp = mem.read64(cfa + PtReg.SP.offset() - PtReg.IRET_OFFSET);
        newRegs = cfa - PtReg.IRET_OFFSET; // only its iret part is there
        newFull = false;
        newSignal = true;
      }
    }

    int bpReg = flags >>> 4 & 0xf;
    long bpOff = table.bpOffset(i);
    long newBp = bp;
    if (bpReg == OrcReg.UNDEFINED.code()) {
      if (newRegs != Frame.NO_REGS && newFull && mem.readable(newRegs + PtReg.BP.offset(), 8)) newBp = mem.read64(newRegs + PtReg.BP.offset());
    } else if (bpReg == OrcReg.PREV_SP.code() || bpReg == OrcReg.BP.code()) {
      long at = (bpReg == OrcReg.PREV_SP.code() ? cfa : bp) + bpOff;
      if (!mem.readable(at, 8)) return fail(StopReason.UNREADABLE_MEMORY, "can't read the saved bp at " + hex(at) + " for ip " + hex(ip));
      newBp = mem.read64(at);
    } else {
      return fail(StopReason.UNKNOWN_BP_REG, "unknown bp base reg " + bpReg + " for ip " + hex(ip));
    }

    if (mem.stackOf(newSp) == mem.stackOf(sp) && Long.compareUnsigned(newSp, sp) <= 0) {
      return fail(StopReason.WRONG_DIRECTION, "stack going in the wrong direction? ip " + hex(ip) + " sp " + hex(sp) + " -> " + hex(newSp));
    }
    ip = newIp;
    sp = newSp;
    bp = newBp;
    regs = newRegs;
    fullRegs = newFull;
    signal = newSignal;
    return true;
  }
}
