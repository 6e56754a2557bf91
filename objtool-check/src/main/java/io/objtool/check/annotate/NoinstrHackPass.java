package io.objtool.check.annotate;

import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;

/**
 * {@code --hacks=noinstr}: compilers cannot always keep sanitizer and coverage hooks out of
 * {@code noinstr} code, so calls to them there are removed while the CFG is built
 * ({@link CallSites#annotate}): a call becomes a NOP, a tail call a RET (followed by INT3 and a
 * NOP), and the relocation {@code R_X86_64_NONE}.
 */
@AutoService(Pass.class)
public final class NoinstrHackPass extends ActionPass {
  public NoinstrHackPass() {
    super("hacks=noinstr", "remove sanitizer and coverage calls from noinstr code", options -> options.hackNoinstr(), 100, false);
  }

  /** Removes the call (or tail call) {@code insn} to a profiling function. */
  static void silence(ObjtoolFile file, Instruction insn, boolean sibling) {
    CallSites.clearReloc(file, insn);
    int len = insn.length();
    InsnPatch.write(file, insn, sibling ? InsnPatch.ret(file, len) : InsnPatch.nop(file, len));
    if (sibling) {
      Model.setType(insn, InsnType.RETURN);
      // one instruction stands for RET; INT3: no straight-line-speculation complaint about it
      Model.set(insn, Instruction.RETPOLINE_SAFE);
    } else {
      Model.setType(insn, InsnType.NOP);
    }
  }
}
