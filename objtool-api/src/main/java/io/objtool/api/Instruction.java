package io.objtool.api;

import io.objtool.api.arch.InsnType;
import io.objtool.api.internal.Cfi;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * One decoded instruction of an executable section, with what the CFG builder and the engine
 * learn about it: its type and immediate, flags (dead end, ignored, unwind hint, retpoline-safe,
 * noendbr, ...), jump and call destinations, alternatives, owning symbol, stack operations and
 * the CFI state at it. Kept small: millions exist for a vmlinux.o.
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

  // Kept to 48 bytes (with compact object headers): what few instructions have is in a Rare, the
  // visited bits share a byte with the type, the jump and call destinations share a field.
  final Section sec;
  final int offset;
  int index;
  /** Stack operations: start (in the file's op pool) << 3 | count. */
  int ops;
  /** The immediate, when it fits in an int (else {@link Rare#immediate}). */
  int imm;
  final byte len;
  /** The {@link InsnType} ordinal (low 5 bits) and the visited bits (high 3). */
  byte typeVisited;
  short flags;
  Func sym;
  /** The jump destination (an Instruction), the call destination (a Symbol), both (a Dests), or null. */
  Object dest;
  Cfi cfi;
  /** Alternatives, alternatives group, instrumentation mark, a wide immediate; null when none. */
  Rare rare;

  private static final int TYPE_MASK = 31;
  private static final int VISITED_SHIFT = 5;

  static {
    if (InsnType.values().length > TYPE_MASK + 1) throw new AssertionError("InsnType needs more than 5 bits");
  }

  /** An instruction with both a jump and a call destination. */
  private record Dests(Instruction jump, Symbol call) {}

  /** The fields few instructions need. */
  static final class Rare {
    Alternative alts;
    AltGroup altGroup;
    /** +1 / -1 for instrumentation begin/end annotations. */
    byte instr;
    /** Whether {@link #immediate} holds the immediate (it does not fit in an int). */
    boolean wide;
    long immediate;
    /** For an instruction outside its section's list (a pseudo NOP): its relocation, -2 not looked up. */
    int reloc = -2;
  }

  Instruction(Section sec, int offset, int len, InsnType type, long immediate) {
    this.sec = sec;
    this.offset = offset;
    this.len = (byte) len;
    this.typeVisited = (byte) type.ordinal();
    setImmediate(immediate);
  }

  void setType(InsnType t) {
    typeVisited = (byte) ((typeVisited & ~TYPE_MASK) | t.ordinal());
  }

  void setVisited(int bits) {
    typeVisited |= (byte) (bits << VISITED_SHIFT);
  }

  void setJumpDest(Instruction d) {
    Symbol c = callDest();
    dest = c == null ? d : d == null ? c : new Dests(d, c);
  }

  void setCallDest(Symbol s) {
    Instruction j = jumpDest();
    dest = j == null ? s : s == null ? j : new Dests(j, s);
  }

  Rare rare() {
    Rare r = rare;
    if (r == null) rare = r = new Rare();
    return r;
  }

  void setImmediate(long immediate) {
    imm = (int) immediate;
    if (imm != immediate) {
      Rare r = rare();
      r.wide = true;
      r.immediate = immediate;
    } else if (rare != null) {
      rare.wide = false;
    }
  }

  /** The section it is in. */
  public Section section() { return sec; }
  /** Its offset in the section. */
  public long offset() { return offset & 0xffffffffL; }
  /** Its length in bytes. */
  public int length() { return len; }
  /** Its objtool type (call, jump, return, stack-related, ...). */
  public InsnType type() { return InsnType.of(typeVisited & TYPE_MASK); }
  /** Its immediate (the displacement of a relative jump or call). */
  public long immediate() { return rare != null && rare.wide ? rare.immediate : imm; }
  /** Position among its section's instructions. */
  public int index() { return index; }

  /** Whether flag {@code flag} (one of the constants above) is set. */
  public boolean has(int flag) { return (flags & flag) != 0; }
  /** {@link #DEAD_END}. */
  public boolean deadEnd() { return has(DEAD_END); }
  /** {@link #IGNORE}. */
  public boolean ignored() { return has(IGNORE); }
  /** {@link #HINT}. */
  public boolean hint() { return has(HINT); }

  /** The visited bits ({@code VISITED_*}). */
  public int visited() { return (typeVisited & 0xff) >>> VISITED_SHIFT; }
  /** +1 at an instrumentation-begin annotation, -1 at an end, else 0. */
  public int instr() { return rare == null ? 0 : rare.instr; }

  /** The symbol (function or code label with a size) this instruction belongs to, or null. */
  public Func sym() { return sym; }
  /** The owning function ({@code STT_FUNC} only), or null: objtool's {@code insn_func()}. */
  public Func func() { return sym != null && sym.isFunction() ? sym : null; }

  /** The destination of a direct jump inside the object, or null. */
  public Instruction jumpDest() {
    Object d = dest;
    return d instanceof Instruction i ? i : d instanceof Dests b ? b.jump : null;
  }
  /** The called function (also for sibling calls), or null. */
  public Symbol callDest() {
    Object d = dest;
    return d instanceof Symbol s ? s : d instanceof Dests b ? b.call : null;
  }
  /** The alternatives of this instruction (a linked list), or null. */
  public Alternative alts() { return rare == null ? null : rare.alts; }
  /** The alternatives group it belongs to, or null. */
  public AltGroup altGroup() { return rare == null ? null : rare.altGroup; }
  /** The CFI state at this instruction (interned), or null when no path reached it. */
  public CfiState cfi() { return cfi; }

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

  @Override
  public String toString() {
    return sec.name() + "+0x" + Long.toHexString(offset()) + " " + type();
  }
}
