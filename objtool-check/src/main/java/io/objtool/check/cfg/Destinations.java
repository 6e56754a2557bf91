package io.objtool.check.cfg;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.check.annotate.CallSites;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * Resolves direct jump and call destinations, through the instruction's relocation when it has
 * one: intra-function jumps, sibling calls (jumps to another function's start), calls and jumps to
 * retpoline thunks (which become dynamic) and to the return thunk (which become returns), and
 * calls to dead-end functions.
 */
public final class Destinations {
  /** Rule {@code jump-dest-not-found}: A jump targets an address that is not an instruction. */
  public static final Rule JUMP_DEST_NOT_FOUND = Rule.error("jump-dest-not-found", "A jump targets an address that is not an instruction.");
  /** Rule {@code unannotated-intra-function-call}: A call to a local label inside the same function. */
  public static final Rule UNANNOTATED_INTRA_FUNCTION_CALL = Rule.error("unannotated-intra-function-call", "A call to a local label inside the same function.");
  /** Rule {@code call-to-non-function}: A call to a symbol that is not a function. */
  public static final Rule CALL_TO_NON_FUNCTION = Rule.error("call-to-non-function", "A call to a symbol that is not a function.");
  /** Rule {@code call-dest-symbol-not-found}: A call's relocation points into code with no symbol there. */
  public static final Rule CALL_DEST_SYMBOL_NOT_FOUND = Rule.error("call-dest-symbol-not-found", "A call's relocation points into code with no symbol there.");

  private final ObjtoolFile file;
  private final DeadEnds deadEnds;

  public Destinations(ObjtoolFile file, DeadEnds deadEnds) {
    this.file = file;
    this.deadEnds = deadEnds;
  }

  private void addCallDest(Instruction insn, Symbol dest, boolean sibling) {
    Model.setCallDest(insn, dest);
    if (dest == null) return;
    Model.setStackOps(file, insn, null, 0, 0); // the callee's return undoes what a call does
    if (CallSites.annotate(file, insn, dest, sibling)) return; // a special site: no dead-end marking
    // objtool 6.1 decides at each call during the walk (see Engine); 6.12 marks the call here
    if (!sibling && file.compat() == io.objtool.api.Compat.V6_12 && deadEnds.isDeadEnd(file.func(dest))) {
      Model.set(insn, Instruction.DEAD_END);
    }
  }

  private void addRetpolineCall(Instruction insn) {
    switch (insn.type()) {
      case CALL -> Model.setType(insn, InsnType.CALL_DYNAMIC);
      case JUMP_UNCONDITIONAL -> Model.setType(insn, InsnType.JUMP_DYNAMIC);
      case JUMP_CONDITIONAL -> Model.setType(insn, InsnType.JUMP_DYNAMIC_CONDITIONAL);
      default -> {
        return;
      }
    }
    Model.set(insn, Instruction.RETPOLINE_SAFE | Instruction.RETPOLINE_CALL);
    Model.setStackOps(file, insn, null, 0, 0);
    CallSites.annotate(file, insn, null, false);
  }

  /** A jump to the return thunk is a return; {@code record}: a site for {@code .return_sites}. */
  private void addReturnCall(Instruction insn, boolean record) {
    Model.setType(insn, InsnType.RETURN);
    Model.set(insn, Instruction.RETPOLINE_SAFE);
    if (record) CallSites.returnThunk(file, insn);
  }

  private static long jumpDestination(Instruction insn) {
    return insn.offset() + insn.length() + insn.immediate();
  }

  /** {@code add_jump_destinations}. */
  public void jumps() {
    for (Instruction insn : file.insns().allInsns()) {
      if (insn.jumpDest() != null || !insn.isStaticJump()) continue;
      Func func = insn.func();
      int r = file.insns().insnReloc(insn);
      Section destSec;
      long destOff;
      if (r < 0) {
        destSec = insn.section();
        destOff = jumpDestination(insn);
      } else {
        Relocations rel = file.insns().relocs(insn);
        Symbol sym = rel.symbol(r);
        if (sym.isSectionSymbol()) {
          destSec = file.elf().sectionOf(sym); // in no section: section 0, which has no instructions
          destOff = file.arch().relocDestOffset(rel.addend(r));
        } else if (Funcs.isRetpolineThunk(sym)) {
          addRetpolineCall(insn);
          continue;
        } else if (Funcs.isReturnThunk(sym)) {
          addReturnCall(insn, true);
          continue;
        } else if (func != null) {
          addCallDest(insn, sym, true); // sibling call, within or outside the object
          continue;
        } else if (sym.section() != null) {
          destSec = sym.section();
          destOff = sym.value() + file.arch().relocDestOffset(rel.addend(r));
        } else {
          continue; // non-function asm code jumping to another object
        }
      }
      Instruction dest = file.insns().findInsn(destSec, destOff);
      if (dest == null) {
        Symbol at = destSec.symbols().at(destOff);
        if (at != null && Funcs.isEmbeddedInsn(at)) {
          addReturnCall(insn, false);
          continue;
        }
        if (file.ignoreUnreachables() && func != null && destSec == insn.section() && destOff == func.offset() + func.len()) {
          continue;
        }
        file.diag().warnInsn(insn, JUMP_DEST_NOT_FOUND, "can't find jump dest instruction at " + destSec.name() + "+0x" + Long.toHexString(destOff));
        throw new CfgException();
      }
      Func ds = dest.sym();
      if (ds != null && dest.offset() == ds.offset()) {
        if (Funcs.isRetpolineThunk(ds.symbol())) {
          addRetpolineCall(insn);
          continue;
        }
        if (Funcs.isReturnThunk(ds.symbol())) {
          addReturnCall(insn, true);
          continue;
        }
      }
      Func df = dest.func();
      if (func != null && df != null && func != df) {
        if (!func.name().contains(".cold") && df.name().contains(".cold")) {
          Model.setCfunc(func, df);
          Model.setPfunc(df, func);
        }
      }
      if (isSiblingCall(insn, dest)) {
        addCallDest(insn, dest.func().symbol(), true);
        continue;
      }
      Model.setJumpDest(insn, dest);
    }
  }

  private boolean isSiblingCall(Instruction from, Instruction to) {
    Func fs = from.sym();
    Func ts = to.sym();
    if (fs == null || ts == null) return false;
    if (!isFirstFuncInsn(to, ts)) return false;
    if (ts.symbol().type() == Elf.STT_NOTYPE) return false;
    return fs.pfunc() != ts.pfunc();
  }

  private boolean isFirstFuncInsn(Instruction insn, Func sym) {
    if (insn.offset() == sym.offset()) return true;
    if (file.options().ibt()) {
      Instruction prev = file.insns().prevInsnSameSym(insn);
      return prev != null && prev.type() == InsnType.ENDBR && insn.offset() == sym.offset() + prev.length();
    }
    return false;
  }

  /** A function (or any symbol) starting exactly at {@code offset}. */
  private static Symbol callDestination(Section sec, long offset) {
    Symbol f = sec.symbols().functionAt(offset);
    if (f != null) return f;
    Symbol s = sec.symbols().at(offset);
    return s != null && (s.size() > 0 || s.type() != Elf.STT_NOTYPE) ? s : null;
  }

  /** {@code add_call_destinations}. */
  public void calls() {
    for (Instruction insn : file.insns().allInsns()) {
      if (insn.type() != InsnType.CALL) continue;
      Func func = insn.func();
      int r = file.insns().insnReloc(insn);
      if (r < 0) {
        Symbol dest = callDestination(insn.section(), jumpDestination(insn));
        addCallDest(insn, dest, false);
        if (insn.ignored()) continue;
        if (insn.callDest() == null) {
          file.diag().warnInsn(insn, UNANNOTATED_INTRA_FUNCTION_CALL, "unannotated intra-function call");
          throw new CfgException();
        }
        if (func != null && insn.callDest().type() != Elf.STT_FUNC) {
          file.diag().warnInsn(insn, CALL_TO_NON_FUNCTION, "unsupported call to non-function");
          throw new CfgException();
        }
        continue;
      }
      Relocations rel = file.insns().relocs(insn);
      Symbol sym = rel.symbol(r);
      if (sym.isSectionSymbol()) {
        long destOff = file.arch().relocDestOffset(rel.addend(r));
        Section destSec = file.elf().sectionOf(sym); // in no section: section 0, which has no functions
        Symbol dest = callDestination(destSec, destOff);
        if (dest == null) {
          file.diag().warnInsn(insn, CALL_DEST_SYMBOL_NOT_FOUND, "can't find call dest symbol at " + destSec.name() + "+0x" + Long.toHexString(destOff));
          throw new CfgException();
        }
        addCallDest(insn, dest, false);
      } else if (Funcs.isRetpolineThunk(sym)) {
        addRetpolineCall(insn);
      } else {
        addCallDest(insn, sym, false);
      }
    }
  }
}
