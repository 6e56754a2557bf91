package io.objtool.check.annotate;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.Diagnostics;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Symbol;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --cfi}: {@code .cfi_sites}, the address of every {@code __cfi_*} function (the kCFI
 * type-hash preambles), in symbol table order. Written even when there is none.
 */
@AutoService(Pass.class)
public final class CfiPass extends ActionPass {
  public CfiPass() {
    super("cfi", "annotate kernel control flow integrity (kCFI) function preambles", options -> options.cfi(), Order.CFI, false);
  }

  static final String SECTION = ".cfi_sites";

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    if (file.elf().section(SECTION) != null) {
      CallSites.of(file).calls.clear();
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + SECTION + " section, skipping");
      return;
    }
    List<Symbol> preambles = new ArrayList<>();
    for (Symbol s : file.elf().symbols()) {
      if (s.type() == Elf.STT_FUNC && s.name().startsWith("__cfi_") && s.section() != null) preambles.add(s);
    }
    SiteSections w = new SiteSections(file);
    Relocations rel = w.create(SECTION, Elf.SHF_ALLOC, 4, preambles.size());
    for (int i = 0; i < preambles.size(); i++) {
      Symbol s = preambles.get(i);
      ElfEdit.addReloc(rel, (long) i * 4, Elf.R_X86_64_PC32, w.sectionSymbol(s.section()), s.value());
    }
    Model.markChanged(file);
  }
}
