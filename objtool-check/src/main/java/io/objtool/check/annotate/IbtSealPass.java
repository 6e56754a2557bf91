package io.objtool.check.annotate;

import io.objtool.api.Diagnostics;
import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.elf.Elf;
import io.objtool.elf.Symbol;
import java.util.ArrayList;
import java.util.List;

/**
 * The second half of {@code --ibt}, after the other sections are written: {@code .ibt_endbr_seal}
 * lists the ENDBRs at function starts whose address nothing takes, which the kernel turns into
 * NOPs so they cannot be jumped to. A module's {@code init_module}/{@code cleanup_module} is
 * called indirectly by the loader, so finding one of them here is reported.
 */
@AutoService(Pass.class)
public final class IbtSealPass extends ActionPass {
  /** Rule {@code ibt-not-indirect-call-target}: A function whose address is never taken is marked for ENDBR sealing (`--ibt`, vmlinux). */
  public static final Rule IBT_NOT_INDIRECT_CALL_TARGET = Rule.warning("ibt-not-indirect-call-target", "A function whose address is never taken is marked for ENDBR sealing (`--ibt`, vmlinux).");

  public IbtSealPass() {
    super("ibt", "validate and annotate IBT", options -> options.ibt(), Order.IBT_SEAL, false);
  }

  static final String SECTION = ".ibt_endbr_seal";

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    if (file.elf().section(SECTION) != null) {
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + SECTION + ", skipping");
      return;
    }
    List<Instruction> seal = new ArrayList<>(IbtPass.unusedEndbrs(file));
    if (file.options().stats()) {
      io.objtool.check.Stats.of(file).ibt(IbtPass.functionStartEndbrs(file), insideEndbrs(file), seal.size());
    }
    if (seal.isEmpty()) return;
    if (file.options().module()) {
      for (Instruction insn : seal) {
        Symbol f = lastFunctionAt(insn);
        if (f != null && (f.name().equals("init_module") || f.name().equals("cleanup_module"))) {
          file.diag().warn(IBT_NOT_INDIRECT_CALL_TARGET, f.name() + "(): not an indirect call target");
        }
      }
    }
    SiteSections.writeSites(file, SECTION, seal);
  }

  /** ENDBRs inside a function, not at its start. */
  private static int insideEndbrs(ObjtoolFile file) {
    int n = 0;
    for (Instruction insn : file.insns().allInsns()) {
      if (insn.type() != io.objtool.api.arch.InsnType.ENDBR || insn.func() == null) continue;
      if (insn.offset() != insn.func().offset()) n++;
    }
    return n;
  }

  /**
   * The function symbol the reference files the instruction under: of the function symbols
   * starting there, the last in symbol order (a module's {@code init_module} is a global alias
   * that follows its local function).
   */
  private static Symbol lastFunctionAt(Instruction insn) {
    Symbol last = null;
    for (Symbol s : insn.section().symbols().all()) {
      if (s.value() > insn.offset()) break;
      if (s.value() == insn.offset() && s.type() == Elf.STT_FUNC) last = s;
    }
    return last;
  }
}
