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
  public static final int DEAD_END = 1;
  public static final int IGNORE = 1 << 1;
  public static final int IGNORE_ALTS = 1 << 2;
  public static final int HINT = 1 << 3;
  public static final int RETPOLINE_SAFE = 1 << 4;
  public static final int NOENDBR = 1 << 5;
  public static final int SAVE = 1 << 6;
  public static final int RESTORE = 1 << 7;
  /** A pseudo-instruction padding a short alternative replacement. */
  public static final int FAKE = 1 << 10;
  public static final int RETPOLINE_CALL = 1 << 11;
  public static final int UNRET = 1 << 12;
  /** Jump that begins a switch jump table dispatch. */
  public static final int JUMP_TABLE = 1 << 13;

  /** Visited bits: a normal walk, and a walk with UACCESS enabled. */
  public static final int VISITED_BRANCH = 1;
  public static final int VISITED_BRANCH_UACCESS = 2;
  public static final int VISITED_BRANCH_MASK = 3;
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

  public Section section() { return sec; }
  public long offset() { return offset & 0xffffffffL; }
  public int length() { return len; }
  public InsnType type() { return InsnType.of(type); }
  public long immediate() { return immediate; }
  /** Position among its section's instructions. */
  public int index() { return index; }

  public boolean has(int flag) { return (flags & flag) != 0; }
  public boolean deadEnd() { return has(DEAD_END); }
  public boolean ignored() { return has(IGNORE); }
  public boolean hint() { return has(HINT); }

  public int visited() { return visited; }
  public int instr() { return instr; }

  /** The symbol (function or code label with a size) this instruction belongs to, or null. */
  public Func sym() { return sym; }
  /** The owning function ({@code STT_FUNC} only), or null: objtool's {@code insn_func()}. */
  public Func func() { return sym != null && sym.isFunction() ? sym : null; }

  public Instruction jumpDest() { return jumpDest; }
  /** The called function (also for sibling calls), or null. */
  public Symbol callDest() { return callDest; }
  public Alternative alts() { return alts; }
  public AltGroup altGroup() { return altGroup; }
  /** The CFI state at this instruction (interned), or null when no path reached it. */
  public CfiState cfi() { return cfi; }

  public boolean isStaticJump() {
    InsnType t = type();
    return t == InsnType.JUMP_CONDITIONAL || t == InsnType.JUMP_UNCONDITIONAL;
  }

  public boolean isDynamicJump() {
    InsnType t = type();
    return t == InsnType.JUMP_DYNAMIC || t == InsnType.JUMP_DYNAMIC_CONDITIONAL;
  }

  public boolean isJump() { return isStaticJump() || isDynamicJump(); }

  public boolean isCall() {
    InsnType t = type();
    return t == InsnType.CALL || t == InsnType.CALL_DYNAMIC;
  }

  @Override
  public String toString() {
    return sec.name() + "+0x" + Long.toHexString(offset()) + " " + type();
  }
}
