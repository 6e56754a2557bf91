package io.objtool.check.annotate;

import io.objtool.api.Diagnostics;
import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;

/**
 * {@code --retpoline}: before the walk, every indirect call or jump not made through a retpoline
 * thunk or annotated retpoline-safe is reported (and with {@code --rethunk} every plain RET);
 * after it, the calls and jumps through the thunks are listed in {@code .retpoline_sites} for
 * the kernel to patch.
 */
@AutoService(Pass.class)
public final class RetpolinePass implements Pass {
  /** Rule {@code naked-return-with-rethunk}: A plain `ret` in a rethunk build (`--rethunk`). */
  public static final Rule NAKED_RETURN_WITH_RETHUNK = Rule.warning("naked-return-with-rethunk", "A plain `ret` in a rethunk build (`--rethunk`).");
  /** Rule {@code indirect-branch-with-retpoline}: An indirect call or jump in a retpoline build (`--retpoline`). */
  public static final Rule INDIRECT_BRANCH_WITH_RETPOLINE = Rule.warning("indirect-branch-with-retpoline", "An indirect call or jump in a retpoline build (`--retpoline`).");

  static final String SECTION = ".retpoline_sites";

  @Override
  public String option() {
    return "retpoline";
  }

  @Override
  public String help() {
    return "validate and annotate retpoline usage";
  }

  @Override
  public boolean enabled(Options options) {
    return options.retpoline();
  }

  @Override
  public int order() {
    return Order.RETPOLINE_SITES;
  }

  @Override
  public boolean needsWalk() {
    return false;
  }

  @Override
  public int beforeWalk(ObjtoolFile file) {
    int warnings = 0;
    boolean rethunk = file.options().rethunk();
    for (Instruction insn : file.insns().allInsns()) {
      InsnType t = insn.type();
      if (t != InsnType.JUMP_DYNAMIC && t != InsnType.CALL_DYNAMIC && t != InsnType.RETURN) continue;
      if (insn.has(Instruction.RETPOLINE_SAFE)) continue;
      if (CallSites.isInit(file, insn.section())) continue;
      if (t == InsnType.RETURN) {
        if (!rethunk) continue;
        file.diag().warnInsn(insn, NAKED_RETURN_WITH_RETHUNK, "'naked' return found in MITIGATION_RETHUNK build");
      } else {
        file.diag().warnInsn(insn, INDIRECT_BRANCH_WITH_RETPOLINE, "indirect " + (t == InsnType.JUMP_DYNAMIC ? "jump" : "call")
            + " found in MITIGATION_RETPOLINE build");
      }
      warnings++;
    }
    return warnings;
  }

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    if (file.elf().section(SECTION) != null) {
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + SECTION + ", skipping");
      return;
    }
    var sites = CallSites.of(file).retpolineCalls;
    if (sites.isEmpty()) return;
    SiteSections.writeSites(file, SECTION, sites);
  }
}
