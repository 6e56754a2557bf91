package io.objtool.check.annotate;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.Diagnostics;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import java.util.List;

/**
 * {@code --mcount}: {@code __mcount_loc}, the address (64-bit, absolute) of every call to
 * {@code __fentry__}, for ftrace. With {@code --mnop} the calls themselves were replaced by NOPs
 * while the CFG was built ({@link CallSites#annotate}).
 */
@AutoService(Pass.class)
public final class McountPass extends ActionPass {
  public McountPass() {
    super("mcount", "annotate mcount/fentry calls for ftrace", options -> options.mcount(), Order.MCOUNT, false);
  }

  static final String SECTION = "__mcount_loc";
  static final int ADDR_SIZE = 8;

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    List<Instruction> sites = CallSites.of(file).mcountCalls;
    if (file.elf().section(SECTION) != null) {
      sites.clear();
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + SECTION + " section, skipping");
      return;
    }
    if (sites.isEmpty()) return;
    SiteSections w = new SiteSections(file);
    Relocations rel = w.createAligned(SECTION, Elf.SHF_ALLOC, ADDR_SIZE, sites.size(), ADDR_SIZE, sites.size());
    for (int i = 0; i < sites.size(); i++) {
      Instruction insn = sites.get(i);
      ElfEdit.addReloc(rel, (long) i * ADDR_SIZE, Elf.R_X86_64_64, w.sectionSymbol(insn.section()), insn.offset());
    }
    Model.markChanged(file);
  }
}
