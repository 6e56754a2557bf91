package io.objtool.check.annotate;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.AltGroup;
import io.objtool.api.Alternative;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.check.cfg.DeadEnds;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * {@code --unret}: from every place annotated {@code VALIDATE_UNRET_BEGIN} (the
 * {@code .discard.validate_unret} section: kernel entry points), every path must reach an
 * UNTRAIN_RET (a retpoline-safe NOP site) before any RET or indirect branch. Paths go into
 * called functions; a call that returns has seen the untraining.
 */
@AutoService(Pass.class)
public final class UnretPass extends ActionPass {
  /** Rule {@code unret-validation-failed}: The unret validation of an entry point had to stop (`--unret`). */
  public static final Rule UNRET_VALIDATION_FAILED = Rule.error("unret-validation-failed", "The unret validation of an entry point had to stop (`--unret`).");
  /** Rule {@code unret-early-indirect-call}: An indirect call before untraining (`--unret`). */
  public static final Rule UNRET_EARLY_INDIRECT_CALL = Rule.error("unret-early-indirect-call", "An indirect call before untraining (`--unret`).");
  /** Rule {@code unret-unresolved-jump}: A jump with no known destination before untraining (`--unret`). */
  public static final Rule UNRET_UNRESOLVED_JUMP = Rule.error("unret-unresolved-jump", "A jump with no known destination before untraining (`--unret`).");
  /** Rule {@code unret-ret-before-untrain}: A return before untraining (`--unret`). */
  public static final Rule UNRET_RET_BEFORE_UNTRAIN = Rule.error("unret-ret-before-untrain", "A return before untraining (`--unret`).");
  /** Rule {@code unret-end-of-section}: A path from an unret entry point runs off its section (`--unret`). */
  public static final Rule UNRET_END_OF_SECTION = Rule.error("unret-end-of-section", "A path from an unret entry point runs off its section (`--unret`).");
  /** Rule {@code unret-unresolved-function}: A call before untraining to a function that is not in the object (`--unret`). */
  public static final Rule UNRET_UNRESOLVED_FUNCTION = Rule.error("unret-unresolved-function", "A call before untraining to a function that is not in the object (`--unret`).");

  public UnretPass() {
    super("unret", "validate entry unret placement", options -> options.unret(), Order.UNRET, true);
  }

  static final String ANNOTATIONS = ".discard.validate_unret";

  /** Ends the whole validation (the reference gives up on the object). */
  private static final class Fatal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Fatal() {
      super(null, null, false, false);
    }
  }

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    Section sec = file.elf().section(ANNOTATIONS);
    if (sec == null || sec.relocations() == null) return;
    Relocations r = sec.relocations();
    for (int i = 0; i < r.count(); i++) {
      Symbol s = r.symbol(i);
      Instruction insn = s.section() == null ? null : file.insns().findInsn(s.section(), s.value() + r.addend(i));
      if (insn == null) {
        file.diag().warn(io.objtool.check.cfg.Annotations.BAD_ANNOTATION_ENTRY, "bad " + ANNOTATIONS + " entry");
        Model.stopCheck(file);
        return;
      }
      Model.set(insn, Instruction.UNRET);
    }
    for (Instruction insn : file.insns().allInsns()) {
      if (!insn.has(Instruction.UNRET)) continue;
      try {
        validate(file, insn);
      } catch (Fatal f) {
        file.diag().warnInsn(insn, UNRET_VALIDATION_FAILED, "Failed UNRET validation");
        Model.stopCheck(file); // the reference's check ends here
        return;
      }
    }
  }


  /** Follows the paths from {@code insn}; true when one of them was reported. */
  private static boolean validate(ObjtoolFile file, Instruction insn) {
    while (true) {
      Instruction next = file.insns().nextInsnToValidate(insn);
      if ((insn.visited() & Instruction.VISITED_UNRET) != 0) return false;
      Model.setVisited(insn, Instruction.VISITED_UNRET);
      for (Alternative alt = insn.alts(); alt != null; alt = alt.next()) {
        if (validate(file, alt.insn())) return true;
      }
      switch (insn.type()) {
        case CALL_DYNAMIC, JUMP_DYNAMIC, JUMP_DYNAMIC_CONDITIONAL -> {
          file.diag().warnInsn(insn, UNRET_EARLY_INDIRECT_CALL, "early indirect call");
          return true;
        }
        case JUMP_UNCONDITIONAL, JUMP_CONDITIONAL -> {
          if (!DeadEnds.isSiblingCall(insn)) {
            if (insn.jumpDest() == null) {
              file.diag().warnInsn(insn, UNRET_UNRESOLVED_JUMP, "unresolved jump target after linking?!?");
              throw new Fatal();
            }
            if (validate(file, insn.jumpDest())) return true;
            if (insn.type() == io.objtool.api.arch.InsnType.JUMP_UNCONDITIONAL) return false;
          } else {
            return call(file, insn);
          }
        }
        case CALL -> {
          return call(file, insn);
        }
        case RETURN -> {
          file.diag().warnInsn(insn, UNRET_RET_BEFORE_UNTRAIN, "RET before UNTRAIN");
          return true;
        }
        case NOP -> {
          if (insn.has(Instruction.RETPOLINE_SAFE)) return false;
        }
        default -> { }
      }
      if (insn.deadEnd()) return false;
      if (next == null) {
        file.diag().warnInsn(insn, UNRET_END_OF_SECTION, "teh end!");
        throw new Fatal();
      }
      insn = next;
    }
  }

  /** A call (or tail call): its callee's paths; one that returns has untrained. */
  private static boolean call(ObjtoolFile file, Instruction insn) {
    Symbol d = insn.callDest();
    Instruction dest = d == null || d.section() == null ? null : file.insns().findInsn(d.section(), d.value());
    if (dest == null) {
      file.diag().warn(UNRET_UNRESOLVED_FUNCTION, "Unresolved function after linking!?: " + (d == null ? "?" : d.name()));
      throw new Fatal();
    }
    return validate(file, dest);
  }
}
