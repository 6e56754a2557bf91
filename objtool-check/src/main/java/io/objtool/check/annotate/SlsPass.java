package io.objtool.check.annotate;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;

/**
 * {@code --sls}: against straight-line speculation, every RET and every indirect jump must be
 * followed by an INT3 (unless it stands for a thunk: retpoline-safe).
 */
@AutoService(Pass.class)
public final class SlsPass extends ActionPass {
  /** Rule {@code sls-missing-int3}: A return or indirect jump not followed by `int3` (`--sls`). */
  public static final Rule SLS_MISSING_INT3 = Rule.warning("sls-missing-int3", "A return or indirect jump not followed by `int3` (`--sls`).");

  public SlsPass() {
    super("sls", "validate straight-line-speculation mitigations", options -> options.sls(), Order.SLS, false);
  }

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    for (Instruction insn : file.insns().allInsns()) {
      if (insn.has(Instruction.RETPOLINE_SAFE)) continue;
      String what = switch (insn.type()) {
        case RETURN -> "ret";
        case JUMP_DYNAMIC -> "indirect jump";
        default -> null;
      };
      if (what == null) continue;
      Instruction next = file.insns().nextInsnSameSec(insn);
      if (next == null || next.type() != InsnType.TRAP) file.diag().warnInsn(insn, SLS_MISSING_INT3, "missing int3 after " + what);
    }
  }
}
