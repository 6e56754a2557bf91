package io.objtool.cli;

import io.objtool.api.Warning;
import io.objtool.elf.dwarf.LineTable;

/**
 * Receives each warning a check prints, for the machine-readable reports, with the source line
 * of its location when the object carries DWARF line information, and the path that led to it
 * when {@code --trace} traced its function.
 */
interface WarningListener {
  /** A listener that takes nothing (and so needs no source lines). */
  WarningListener NONE = new WarningListener() {
    @Override
    public void accept(Warning w, LineTable.SourceLine source, TracePath path) { }

    @Override
    public boolean wantsSources() {
      return false;
    }
  };

  /** One warning, its source line or null, and the path of {@code --trace} that led to it or null (not traced). */
  void accept(Warning w, LineTable.SourceLine source, TracePath path);

  /** Whether the check should read the object's line table for this listener. */
  default boolean wantsSources() {
    return true;
  }
}
