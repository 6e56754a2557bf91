package io.objtool.api;

import io.objtool.api.arch.InsnType;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * One decoded instruction of an executable section, with what the CFG builder and the engine
 * learn about it: its type and immediate, flags (dead end, ignored, unwind hint, retpoline-safe,
 * noendbr, ...), jump and call destinations, alternatives, owning symbol, stack operations and
 * the CFI state at it.
 *
 * <p>An instruction is a view: a row of its section's instruction table, whose columns hold the
 * fields (millions of instructions exist for a vmlinux.o, and no object per instruction is
 * kept). Views are made on demand and are not unique: compare instructions with
 * {@link #equals(Object)}, never with {@code ==}. A view is immutable; what it reads changes as
 * the check learns about the instruction (its CFI, visited bits, destinations, ...).
 */
public final class Instruction {
  /** Flag: no path continues after it (a call to a noreturn function, {@code ud2}, ...). */
  public static final int DEAD_END = 1;
  /** Flag: not validated ({@code STACK_FRAME_NON_STANDARD}, ignored alternatives). */
  public static final int IGNORE = 1 << 1;
  /** Flag: its alternatives are not followed ({@code ANNOTATE_IGNORE_ALTERNATIVE}). */
  public static final int IGNORE_ALTS = 1 << 2;
  /** Flag: an unwind hint sets the CFI here. */
  public static final int HINT = 1 << 3;
  /** Flag: an indirect branch annotated retpoline-safe. */
  public static final int RETPOLINE_SAFE = 1 << 4;
  /** Flag: annotated as needing no ENDBR ({@code ANNOTATE_NOENDBR}). */
  public static final int NOENDBR = 1 << 5;
  /** Flag: an {@code UNWIND_HINT_SAVE} records the CFI here. */
  public static final int SAVE = 1 << 6;
  /** Flag: an {@code UNWIND_HINT_RESTORE} takes the CFI of the matching save. */
  public static final int RESTORE = 1 << 7;
  /** A pseudo-instruction padding a short alternative replacement. */
  public static final int FAKE = 1 << 10;
  /** Flag: a call to a retpoline thunk. */
  public static final int RETPOLINE_CALL = 1 << 11;
  /** Flag: an untrain-return point ({@code ANNOTATE_UNRET_BEGIN}). */
  public static final int UNRET = 1 << 12;
  /** Jump that begins a switch jump table dispatch. */
  public static final int JUMP_TABLE = 1 << 13;

  /** Visited bits: a normal walk, and a walk with UACCESS enabled. */
  /** Visited bit: walked with every visit-splitting state slot zero. */
  public static final int VISITED_BRANCH = 1;
  /** Visited bit: walked with a visit-splitting slot (user access) non-zero. */
  public static final int VISITED_BRANCH_UACCESS = 2;
  /** Both walk bits. */
  public static final int VISITED_BRANCH_MASK = 3;
  /** Visited bit of the {@code --unret} walk. */
  public static final int VISITED_UNRET = 4;

  /** The table (a section's columns, or the file's pseudo-instructions) and the row. */
  final InsnTable t;
  final int i;

  static {
    if (InsnType.values().length > 32) throw new AssertionError("InsnType needs more than 5 bits");
  }

  Instruction(InsnTable t, int i) {
    this.t = t;
    this.i = i;
  }

  /** The section it is in. */
  public Section section() { return t.section(i); }
  /** Its offset in the section. */
  public long offset() { return t.offset[i] & 0xffffffffL; }
  /** Its length in bytes. */
  public int length() { return t.len[i]; }
  /** Its objtool type (call, jump, return, stack-related, ...). */
  public InsnType type() { return InsnType.of(t.type(i)); }
  /** Its immediate (the displacement of a relative jump or call). */
  public long immediate() { return t.immediate(i); }
  /** Position among its section's instructions (0 for a pseudo-instruction, which is in no section's list). */
  public int index() { return t.sec != null ? i : 0; }

  /** Whether flag {@code flag} (one of the constants above) is set. */
  public boolean has(int flag) { return (t.flags[i] & ~InsnTable.HAS_RARE & 0xffff & flag) != 0; }
  /** {@link #DEAD_END}. */
  public boolean deadEnd() { return has(DEAD_END); }
  /** {@link #IGNORE}. */
  public boolean ignored() { return has(IGNORE); }
  /** {@link #HINT}. */
  public boolean hint() { return has(HINT); }

  /** The visited bits ({@code VISITED_*}). */
  public int visited() { return t.visited(i); }
  /** +1 at an instrumentation-begin annotation, -1 at an end, else 0. */
  public int instr() {
    InsnTable.Rare r = t.rare(i);
    return r == null ? 0 : r.instr;
  }

  /** The symbol (function or code label with a size) this instruction belongs to, or null. */
  public Func sym() { return t.sym[i]; }
  /** The owning function ({@code STT_FUNC} only), or null: objtool's {@code insn_func()}. */
  public Func func() {
    Func f = t.sym[i];
    return f != null && f.isFunction() ? f : null;
  }

  /** The destination of a direct jump inside the object, or null. */
  public Instruction jumpDest() { return t.jumpDest(i); }
  /** The called function (also for sibling calls), or null. */
  public Symbol callDest() { return t.callDest(i); }
  /** The alternatives of this instruction (a linked list), or null. */
  public Alternative alts() {
    InsnTable.Rare r = t.rare(i);
    return r == null ? null : r.alts;
  }
  /** The alternatives group it belongs to, or null. */
  public AltGroup altGroup() {
    InsnTable.Rare r = t.rare(i);
    return r == null ? null : r.altGroup;
  }
  /** The CFI state at this instruction (interned), or null when no path reached it. */
  public CfiState cfi() { return t.cfi[i]; }

  /** A direct conditional or unconditional jump. */
  public boolean isStaticJump() {
    InsnType t = type();
    return t == InsnType.JUMP_CONDITIONAL || t == InsnType.JUMP_UNCONDITIONAL;
  }

  /** An indirect jump. */
  public boolean isDynamicJump() {
    InsnType t = type();
    return t == InsnType.JUMP_DYNAMIC || t == InsnType.JUMP_DYNAMIC_CONDITIONAL;
  }

  /** Any jump. */
  public boolean isJump() { return isStaticJump() || isDynamicJump(); }

  /** A direct or indirect call. */
  public boolean isCall() {
    InsnType t = type();
    return t == InsnType.CALL || t == InsnType.CALL_DYNAMIC;
  }

  /**
   * Whether {@code o} is the same instruction: the same row of the same table. Views are not
   * unique (two lookups of one instruction give two objects), so compare with this, never {@code ==}.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Instruction x && x.i == i && x.t == t;
  }

  @Override
  public int hashCode() {
    return t.salt + i * 0x9E3779B9;
  }

  @Override
  public String toString() {
    return section().name() + "+0x" + Long.toHexString(offset()) + " " + type();
  }
}
