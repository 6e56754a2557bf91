package io.objtool.api;

import io.objtool.api.internal.Cfi;

/**
 * The state carried along one code path: the CFI (read-only for passes; the engine applies the
 * stack operations) and the passes' own values in {@link StateSlot}s — e.g. the user-access
 * (SMAP) state of {@code --uaccess}, the direction flag of stack validation, the noinstr
 * instrumentation depth. The engine copies the whole state where a path branches.
 *
 * <p>A state a visitor is given is valid only during that call: the engine reuses its states
 * (one per depth of the walk's branches, overwritten by the next path at that depth) rather than
 * allocating one per branch. A visitor that needs a value later keeps the value itself (an
 * {@code int}, a copy of what it reads from {@link #cfi()}), never the state or its CFI.
 */
public final class InsnState {
  final Cfi cfi;
  private final int[] slots;
  /** Bit per {@link StateSlot#splitsVisits()} slot whose value is non-zero. */
  private long visitKey;

  InsnState(int nrSlots) {
    this(nrSlots, CfiState.NUM_REGS);
  }

  InsnState(int nrSlots, int nrRegs) {
    this.cfi = new Cfi(nrRegs);
    this.slots = new int[nrSlots];
  }

  InsnState(InsnState o) {
    this.cfi = new Cfi(o.cfi);
    this.slots = o.slots.clone();
    this.visitKey = o.visitKey;
  }

  /** Makes this state a copy of {@code o} (same slot and register counts); allocates nothing. */
  void copyFrom(InsnState o) {
    cfi.copyFrom(o.cfi);
    System.arraycopy(o.slots, 0, slots, 0, slots.length);
    visitKey = o.visitKey;
  }

  /** Whether {@link #copyFrom} can copy {@code o} into this state. */
  boolean sameShape(InsnState o) {
    return slots.length == o.slots.length && cfi.regCount() == o.cfi.regCount();
  }

  /** The CFI state of this path at the current instruction. */
  public CfiState cfi() {
    return cfi;
  }

  /** The value of a pass's slot on this path (zero until set). */
  public int get(StateSlot slot) {
    return slots[slot.index];
  }

  /** Whether a pass's slot is non-zero on this path. */
  public boolean is(StateSlot slot) {
    return slots[slot.index] != 0;
  }

  /** Sets a pass's slot on this path. */
  public void set(StateSlot slot, int value) {
    slots[slot.index] = value;
    if (slot.splitsVisits) {
      long bit = 1L << (slot.index & 63);
      visitKey = value != 0 ? visitKey | bit : visitKey & ~bit;
    }
  }

  /** Sets a pass's slot to 1 or 0. */
  public void set(StateSlot slot, boolean value) {
    set(slot, value ? 1 : 0);
  }

  /** Whether a slot that splits visits is non-zero (the engine's second visited bit). */
  public boolean visitKey() {
    return visitKey != 0;
  }
}
