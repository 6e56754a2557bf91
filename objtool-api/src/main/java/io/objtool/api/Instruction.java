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

  final Section sec;
  final int offset;
  int index;
  final byte len;
  byte type;
  short flags;
  byte visited;
  /** +1 / -1 for instrumentation begin/end annotations. */
  byte instr;
  long immediate;
  Func sym;
  Instruction jumpDest;
  Symbol callDest;
  Alternative alts;
  AltGroup altGroup;
  Cfi cfi;
  /** Stack operations: start (in the file's op pool) << 3 | count. */
  int ops;
  /** Cached index of the relocation in this instruction: -2 not looked up, -1 none. */
  int reloc = -2;

  Instruction(Section sec, int offset, int len, InsnType type, long immediate) {
    this.sec = sec;
    this.offset = offset;
    this.len = (byte) len;
    this.type = (byte) type.ordinal();
    this.immediate = immediate;
  }

  /** The section it is in. */
  public Section section() { return sec; }
  /** Its offset in the section. */
  public long offset() { return offset & 0xffffffffL; }
  /** Its length in bytes. */
  public int length() { return len; }
  /** Its objtool type (call, jump, return, stack-related, ...). */
  public InsnType type() { return InsnType.of(type); }
  /** Its immediate (the displacement of a relative jump or call). */
  public long immediate() { return immediate; }
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
  public int visited() { return visited; }
  /** +1 at an instrumentation-begin annotation, -1 at an end, else 0. */
  public int instr() { return instr; }

  /** The symbol (function or code label with a size) this instruction belongs to, or null. */
  public Func sym() { return sym; }
  /** The owning function ({@code STT_FUNC} only), or null: objtool's {@code insn_func()}. */
  public Func func() { return sym != null && sym.isFunction() ? sym : null; }

  /** The destination of a direct jump inside the object, or null. */
  public Instruction jumpDest() { return jumpDest; }
  /** The called function (also for sibling calls), or null. */
  public Symbol callDest() { return callDest; }
  /** The alternatives of this instruction (a linked list), or null. */
  public Alternative alts() { return alts; }
  /** The alternatives group it belongs to, or null. */
  public AltGroup altGroup() { return altGroup; }
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
