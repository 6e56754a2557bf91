package io.objtool.api.internal;

import io.objtool.api.CfiReg;
import io.objtool.api.CfiState;
import io.objtool.api.UnwindHint;

import io.objtool.api.arch.CfiRegs;
import java.util.Arrays;

/**
 * The engine's mutable {@link CfiState}: the working state of a walk and the interned states
 * recorded per instruction. Not exported: passes see it only through the read-only
 * {@link CfiState} interface.
 */
public final class Cfi implements CfiState {

  public int cfaBase = CfiRegs.UNDEFINED;
  public int cfaOffset;
  /** Per register: where its caller's value is saved (base, offset). */
  public final int[] regBase;
  public final int[] regOffset;
  /** Per register: what it currently holds, relative to the CFA (base CFA) when tracked. */
  public final int[] valBase;
  public final int[] valOffset;
  public int stackSize;
  public int drapReg = CfiRegs.UNDEFINED;
  public int drapOffset = -1;
  public int type = UnwindHint.TYPE_UNDEFINED;
  public boolean bpScratch;
  public boolean drap;
  public boolean signal;
  public boolean end;
  public boolean forceUndefined;

  /** An undefined state with x86-64's {@link CfiState#NUM_REGS} registers. */
  public Cfi() {
    this(NUM_REGS);
  }

  /** An undefined state tracking {@code nregs} registers (the architecture's {@code cfiRegCount()}). */
  public Cfi(int nregs) {
    regBase = new int[nregs];
    regOffset = new int[nregs];
    valBase = new int[nregs];
    valOffset = new int[nregs];
    Arrays.fill(regBase, CfiRegs.UNDEFINED);
    Arrays.fill(valBase, CfiRegs.UNDEFINED);
  }

  /** A copy of {@code o}. */
  public Cfi(Cfi o) {
    this(o.regBase.length);
    copyFrom(o);
  }

  public void copyFrom(Cfi o) {
    cfaBase = o.cfaBase;
    cfaOffset = o.cfaOffset;
    int n = regBase.length;
    System.arraycopy(o.regBase, 0, regBase, 0, n);
    System.arraycopy(o.regOffset, 0, regOffset, 0, n);
    System.arraycopy(o.valBase, 0, valBase, 0, n);
    System.arraycopy(o.valOffset, 0, valOffset, 0, n);
    stackSize = o.stackSize;
    drapReg = o.drapReg;
    drapOffset = o.drapOffset;
    type = o.type;
    bpScratch = o.bpScratch;
    drap = o.drap;
    signal = o.signal;
    end = o.end;
    forceUndefined = o.forceUndefined;
  }

  @Override public int regCount() { return regBase.length; }
  @Override public int cfaBase() { return cfaBase; }
  @Override public int cfaOffset() { return cfaOffset; }
  @Override public int regBase(int r) { return regBase[r]; }
  @Override public int regOffset(int r) { return regOffset[r]; }
  @Override public int valBase(int r) { return valBase[r]; }
  @Override public int valOffset(int r) { return valOffset[r]; }
  @Override public int stackSize() { return stackSize; }
  @Override public int drapReg() { return drapReg; }
  @Override public int drapOffset() { return drapOffset; }
  @Override public int type() { return type; }
  @Override public boolean bpScratch() { return bpScratch; }
  @Override public boolean drap() { return drap; }
  @Override public boolean signal() { return signal; }
  @Override public boolean end() { return end; }
  @Override public boolean forceUndefined() { return forceUndefined; }

  @Override public CfiReg cfa() { return new CfiReg(cfaBase, cfaOffset); }
  @Override public CfiReg reg(int r) { return new CfiReg(regBase[r], regOffset[r]); }
  @Override public CfiReg val(int r) { return new CfiReg(valBase[r], valOffset[r]); }

  public void setReg(int r, int base, int offset) {
    regBase[r] = base;
    regOffset[r] = offset;
  }

  public void restoreReg(int r) {
    regBase[r] = CfiRegs.UNDEFINED;
    regOffset[r] = 0;
  }

  public void setVal(int r, int base, int offset) {
    valBase[r] = base;
    valOffset[r] = offset;
  }

  /** Whole-state equality (objtool compares the state byte for byte). */
  @Override
  public boolean equals(Object obj) {
    if (this == obj) return true;
    if (!(obj instanceof Cfi o)) return false;
    return cfaBase == o.cfaBase && cfaOffset == o.cfaOffset && stackSize == o.stackSize
        && drapReg == o.drapReg && drapOffset == o.drapOffset && type == o.type
        && bpScratch == o.bpScratch && drap == o.drap && signal == o.signal && end == o.end
        && forceUndefined == o.forceUndefined
        && Arrays.equals(regBase, o.regBase) && Arrays.equals(regOffset, o.regOffset)
        && Arrays.equals(valBase, o.valBase) && Arrays.equals(valOffset, o.valOffset);
  }

  /** Hash of the whole state (hash maps keep it per entry, so it is not cached here). */
  @Override
  public int hashCode() {
    int h = cfaBase * 31 + cfaOffset;
    h = h * 31 + stackSize;
    h = h * 31 + drapReg;
    h = h * 31 + drapOffset;
    h = h * 31 + type;
    h = h * 31 + (bpScratch ? 1 : 0) + (drap ? 2 : 0) + (signal ? 4 : 0) + (end ? 8 : 0) + (forceUndefined ? 16 : 0);
    h = h * 31 + Arrays.hashCode(regBase);
    h = h * 31 + Arrays.hashCode(regOffset);
    h = h * 31 + Arrays.hashCode(valBase);
    h = h * 31 + Arrays.hashCode(valOffset);
    return h;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("cfa=").append(cfa()).append(" stack=").append(stackSize).append(" type=").append(type);
    for (int r = 0; r < regBase.length; r++) {
      if (regBase[r] != CfiRegs.UNDEFINED) b.append(' ').append(CfiRegs.name(r)).append('@').append(reg(r));
    }
    if (drap) b.append(" drap=").append(CfiRegs.name(drapReg)).append(',').append(drapOffset);
    if (bpScratch) b.append(" bp_scratch");
    if (signal) b.append(" signal");
    if (end) b.append(" end");
    return b.toString();
  }
}
