package io.objtool.check.annotate;

import io.objtool.api.Diagnostics;
import com.google.auto.service.AutoService;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;

/**
 * {@code --rethunk}: the jumps to the return thunk are listed in {@code .return_sites}; with
 * {@code --hacks=skylake} the direct calls also go to {@code .call_sites} (for call depth
 * tracking). The check for plain RETs is part of {@code --retpoline}'s validation.
 */
@AutoService(Pass.class)
public final class RethunkPass extends ActionPass {
  public RethunkPass() {
    super("rethunk", "validate and annotate rethunk usage", options -> options.rethunk(), Order.RETURN_SITES, false);
  }

  static final String RETURN_SITES = ".return_sites";
  static final String CALL_SITES = ".call_sites";

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    CallSites sites = CallSites.of(file);
    if (file.elf().section(RETURN_SITES) != null) {
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + RETURN_SITES + ", skipping");
    } else if (!sites.returnThunks.isEmpty()) {
      SiteSections.writeSites(file, RETURN_SITES, sites.returnThunks);
    }
    if (!file.options().hackSkylake()) return;
    if (file.elf().section(CALL_SITES) != null) {
      file.diag().warn(Diagnostics.SECTION_ALREADY_EXISTS, "file already has " + CALL_SITES + " section, skipping");
    } else if (!sites.calls.isEmpty()) {
      SiteSections.writeSites(file, CALL_SITES, sites.calls);
    }
  }
}
