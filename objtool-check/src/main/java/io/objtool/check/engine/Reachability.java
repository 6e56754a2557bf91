package io.objtool.check.engine;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.List;

/**
 * After the walk: every instruction no path reached is "unreachable", except padding (NOPs,
 * traps), alternative replacements, code after a call that never returns when it only traps, and
 * KASAN/UBSAN reporting blocks. Code right after a dead-end call means the callee lacks a
 * {@code __noreturn} annotation.
 */
public final class Reachability {
  /** Rule {@code unreachable-instruction}: An instruction no code path reaches. */
  public static final Rule UNREACHABLE_INSTRUCTION = Rule.warning("unreachable-instruction", "An instruction no code path reaches.");
  /** Rule {@code missing-noreturn}: A call to a function that never returns, followed by unreachable code. */
  public static final Rule MISSING_NORETURN = Rule.warning("missing-noreturn", "A call to a function that never returns, followed by unreachable code.");

  private final ObjtoolFile file;

  private Reachability(ObjtoolFile file) {
    this.file = file;
  }

  public static int run(ObjtoolFile file) {
    if (file.ignoreUnreachables()) return 0;
    return new Reachability(file).validate();
  }

  private int validate() {
    int warnings = 0;
    for (Instruction insn : file.insns().allInsns()) {
      if (insn.visited() != 0 || ignore(insn)) continue;
      if (file.compat() == io.objtool.api.Compat.V6_1) {
        file.diag().warnInsn(insn, UNREACHABLE_INSTRUCTION, "unreachable instruction"); // 6.1 reports the first one only
        return 1;
      }
      Instruction prev = file.insns().prevInsnSameSec(insn);
      if (prev != null && prev.deadEnd() && prev.callDest() != null) {
        file.diag().warnInsn(insn, MISSING_NORETURN, prev.callDest().name() + "() is missing a __noreturn annotation");
        warnings++;
        continue;
      }
      file.diag().warnInsn(insn, UNREACHABLE_INSTRUCTION, "unreachable instruction");
      warnings++;
    }
    return warnings;
  }

  private static boolean isCallTo(Instruction insn, String name) {
    return insn.type() == InsnType.CALL && insn.callDest() != null && insn.callDest().name().equals(name);
  }

  private boolean ignore(Instruction insn) {
    if (insn.ignored() || insn.type() == InsnType.NOP || insn.type() == InsnType.TRAP) return true;
    String sec = insn.section().name();
    if (sec.equals(".altinstr_replacement") || sec.equals(".altinstr_aux")) return true;
    if (file.options().link() && insn.func() == null) {
      long size = holeSize(insn.section(), insn.offset());
      if (size == 0) return false;
      if (size < 0) return true;
      long end = insn.offset() + size;
      for (Instruction i : file.insns().secInsnsContinue(insn)) {
        if (i.visited() != 0) return true;
        if (i.offset() >= end) break;
        Instruction dest = i.jumpDest();
        if (dest != null && dest.func() != null && dest.func().name().contains(".cold")) {
          for (Instruction d : file.insns().funcInsns(dest.func())) Model.set(d, Instruction.IGNORE);
        }
      }
      return false;
    }
    Func func = insn.func();
    if (func == null) return false;
    if (func.staticCallTramp()) return true;
    Instruction prev = file.insns().prevInsnSameSec(insn);
    if (prev != null && prev.deadEnd()
        && (insn.type() == InsnType.BUG || (insn.type() == InsnType.JUMP_UNCONDITIONAL
            && insn.jumpDest() != null && insn.jumpDest().type() == InsnType.BUG))) {
      return true;
    }
    Instruction cur = insn;
    for (int i = 0; i < 5 && cur != null; i++) {
      if (isCallTo(cur, "__asan_handle_no_return") || isCallTo(cur, "__ubsan_handle_builtin_unreachable")) return true;
      if (cur.type() == InsnType.JUMP_UNCONDITIONAL) {
        if (cur.jumpDest() != null && cur.jumpDest().func() == cur.func()) {
          cur = cur.jumpDest();
          continue;
        }
        break;
      }
      Func f = cur.func();
      if (f == null || cur.offset() + cur.length() >= f.offset() + f.len()) break;
      cur = file.insns().nextInsnSameSec(cur);
    }
    return false;
  }

  /**
   * The size of the gap between symbols that starts at {@code offset}: 0 when a symbol covers it
   * (or none precedes it), -1 when the gap runs to the end of the section.
   */
  static long holeSize(Section sec, long offset) {
    List<Symbol> all = sec.symbols().all();
    Symbol before = null;
    int lo = 0, hi = all.size() - 1, idx = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (all.get(mid).value() <= offset) {
        idx = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (int i = idx; i >= 0; i--) {
      Symbol s = all.get(i);
      if (s.size() == 0) continue;
      if (s.value() + s.size() > offset) return 0;
      if (before == null) before = s;
    }
    if (before == null) return 0;
    for (int i = idx + 1; i < all.size(); i++) {
      Symbol s = all.get(i);
      if (s.size() > 0) return s.value() - offset;
    }
    return -1;
  }
}
