package io.objtool.check.annotate;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.Diagnostics;
import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.check.cfg.CfgException;
import io.objtool.check.cfg.DeadEnds;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Symbol;
import java.util.List;

/**
 * {@code --static-call}: {@code .static_call_sites}, one {@code struct static_call_site} (s32
 * address of the call, s32 address of the key) per call or tail call to a {@code __SCT__}
 * trampoline. The key is {@code __SCK__<name>}; a module whose key lives elsewhere (not
 * exported) gets the trampoline instead, for the module loader to resolve. Bit 0 of the key
 * addend marks a tail call. The section is writable: the kernel marks entries at run time.
 */
@AutoService(Pass.class)
public final class StaticCallPass extends ActionPass {
  /** Rule {@code static-call-trampoline-malformed}: A call to a static call trampoline whose name lacks the prefix (`--static-call`). */
  public static final Rule STATIC_CALL_TRAMPOLINE_MALFORMED = Rule.error("static-call-trampoline-malformed", "A call to a static call trampoline whose name lacks the prefix (`--static-call`).");
  /** Rule {@code static-call-key-not-found}: A static call trampoline without its key symbol (`--static-call`, not a module). */
  public static final Rule STATIC_CALL_KEY_NOT_FOUND = Rule.error("static-call-key-not-found", "A static call trampoline without its key symbol (`--static-call`, not a module).");

  public StaticCallPass() {
    super("static-call", "annotate static calls", options -> options.staticCall(), Order.STATIC_CALL, false);
  }

  static final String SECTION = ".static_call_sites";
  static final String TRAMP_PREFIX = "__SCT__";
  static final String KEY_PREFIX = "__SCK__";
  static final int ENTRY_SIZE = 8;
  static final int SITE_TAIL = 1;

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    if (file.elf().section(SECTION) != null) {
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + SECTION + " section, skipping");
      return;
    }
    List<Instruction> sites = CallSites.of(file).staticCalls;
    if (sites.isEmpty()) return;
    SiteSections w = new SiteSections(file);
    Relocations rel = w.createAligned(SECTION, Elf.SHF_ALLOC | Elf.SHF_WRITE, ENTRY_SIZE, sites.size(), 1, 2 * sites.size());
    Model.markChanged(file);
    for (int i = 0; i < sites.size(); i++) {
      Instruction insn = sites.get(i);
      ElfEdit.addReloc(rel, (long) i * ENTRY_SIZE, Elf.R_X86_64_PC32, w.sectionSymbol(insn.section()), insn.offset());
      Symbol tramp = insn.callDest();
      String name = tramp.name();
      if (!name.startsWith(TRAMP_PREFIX)) {
        file.diag().warn(STATIC_CALL_TRAMPOLINE_MALFORMED, "static_call: trampoline name malformed: " + name);
        giveUp(file, rel, sites.size());
      }
      String keyName = KEY_PREFIX + name.substring(TRAMP_PREFIX.length());
      Symbol key = file.elf().symbol(keyName);
      if (key == null) {
        if (!file.options().module()) {
          file.diag().warn(STATIC_CALL_KEY_NOT_FOUND, "static_call: can't find static_call_key symbol: " + keyName);
          giveUp(file, rel, sites.size());
        }
        key = tramp;
      }
      long addend = DeadEnds.isSiblingCall(insn) ? SITE_TAIL : 0;
      ElfEdit.addReloc(rel, (long) i * ENTRY_SIZE + 4, Elf.R_X86_64_PC32, key, addend);
    }
  }

  /**
   * The reference stops the whole check here, yet writes the object: the section keeps its
   * size, with the relocations not made yet left as all-zero entries.
   */
  private static void giveUp(ObjtoolFile file, Relocations rel, int sites) {
    Symbol none = file.elf().symbol(0);
    while (rel.count() < 2 * sites) ElfEdit.addReloc(rel, 0, Elf.R_X86_64_NONE, none, 0);
    throw new CfgException();
  }
}
