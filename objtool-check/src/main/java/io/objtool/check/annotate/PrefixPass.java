package io.objtool.check.annotate;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.internal.Cfi;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --prefix=N}: a function preceded by exactly N bytes of NOPs (the padding
 * {@code -fpatchable-function-entry=N,N} or function alignment leaves, used by call depth
 * tracking and FineIBT) gets a {@code __pfx_<name>} symbol of size N covering them, with the
 * function's binding and type, and the NOPs get the CFI of the function's first instruction so
 * that they unwind like it.
 */
@AutoService(Pass.class)
public final class PrefixPass extends ActionPass {
  public PrefixPass() {
    super("prefix", "generate prefix symbols", options -> options.prefix() > 0, Order.PREFIX, false);
  }

  static final String PREFIX = "__pfx_";

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    int size = file.options().prefix();
    for (Section sec : file.elf().sections()) {
      if (!sec.isExecutable() || !file.insns().hasInstructions(sec)) continue;
      // symbols are added as we go: take the functions first
      List<Symbol> funcs = new ArrayList<>();
      for (Symbol s : sec.symbols().all()) if (s.type() == Elf.STT_FUNC) funcs.add(s);
      for (Symbol s : funcs) addPrefix(file, s, size);
    }
  }

  private static void addPrefix(ObjtoolFile file, Symbol func, int size) {
    Instruction insn = file.insns().findInsn(func.section(), func.value());
    if (insn == null) return;
    Instruction prev = file.insns().prevInsnSameSec(insn);
    for (; prev != null; prev = file.insns().prevInsnSameSec(prev)) {
      if (prev.type() != InsnType.NOP) return;
      long dist = func.value() - prev.offset();
      if (dist > size) return;
      if (dist < size) continue;
      ElfEdit.addSymbol(file.elf(), PREFIX + func.name(), func.bind(), func.type(), 0, func.section(),
          func.value() - size, size);
      Model.markChanged(file);
      break;
    }
    if (prev == null) return;
    Cfi cfi = Model.cfi(insn);
    if (cfi == null) return; // not walked (no --stackval/--orc, or not validated)
    cfi = io.objtool.check.Stats.of(file).findOrAdd(cfi); // the shared copy (counted as --stats counts it)
    for (Instruction p = prev; !java.util.Objects.equals(p, insn); p = file.insns().nextInsnSameSec(p)) Model.setCfi(p, cfi);
  }
}
