package io.objtool.api;

import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects warnings in objtool's format: {@code FILE: warning: objtool: FUNC+0xOFF: message}
 * (with {@code --sec-address}, {@code  (SEC+0xOFF)} after the location). A function is warned
 * about once: later warnings on its instructions are dropped, as the reference does.
 */
public final class Diagnostics {
  private final String objname;
  private final boolean secAddress;
  private final List<Warning> warnings = new ArrayList<>();
  private String rule = "objtool";

  public Diagnostics(String objname, boolean secAddress) {
    this.objname = objname;
    this.secAddress = secAddress;
  }

  /** The rule id recorded with the following warnings. */
  public void setRule(String r) {
    rule = r;
  }

  public List<Warning> warnings() {
    return Collections.unmodifiableList(warnings);
  }

  public int count() {
    return warnings.size();
  }

  /** A warning about the function of {@code insn} at {@code insn}, unless it was warned about before. */
  public void warnInsn(Instruction insn, String msg) {
    Func f = insn.sym();
    if (f == null || !f.warned()) warnAt(insn.section(), insn.offset(), msg);
    if (f != null) f.warned = true;
  }

  /** As {@link #warnInsn(Instruction, String)}, recorded under {@code ruleId} (machine-readable output). */
  public void warnInsn(Instruction insn, String msg, String ruleId) {
    String saved = rule;
    rule = ruleId;
    try {
      warnInsn(insn, msg);
    } finally {
      rule = saved;
    }
  }

  /** A warning located at {@code sec+offset}, named after the symbol covering it. */
  public void warnAt(Section sec, long offset, String msg) {
    Symbol sym = covering(sec, offset);
    String where = offstr(sec, offset, sym);
    add(sec.name(), offset, sym == null ? null : sym.name(), sym == null ? -1 : offset - sym.value(), msg, where + ": " + msg);
  }

  /** {@code FUNC+0xOFF} (or {@code SEC+0xOFF}) of a location, as warnings print it. */
  public String offstr(Section sec, long offset) {
    return offstr(sec, offset, covering(sec, offset));
  }

  /** The function (in code) or symbol covering a location, as warnings name it. */
  private static Symbol covering(Section sec, long offset) {
    Symbol sym = sec.isExecutable() ? sec.symbols().functionContaining(offset) : null;
    return sym != null ? sym : sec.symbols().containing(offset);
  }

  private String offstr(Section sec, long offset, Symbol sym) {
    if (sym == null) return sec.name() + "+0x" + Long.toHexString(offset);
    String s = sym.name() + "+0x" + Long.toHexString(offset - sym.value());
    if (secAddress) s += " (" + sec.name() + "+0x" + Long.toHexString(offset) + ")";
    return s;
  }

  /** A warning with no location: {@code FILE: warning: objtool: message}. */
  public void warn(String msg) {
    add(null, -1, null, -1, msg, msg);
  }

  /** A warning about a function, without an instruction location. */
  public void warnFunction(Func f, String msg) {
    add(f.section() == null ? null : f.section().name(), f.offset(), f.name(), 0, msg, msg);
  }

  private void add(String sec, long off, String func, long funcOff, String msg, String text) {
    warnings.add(new Warning(objname, sec, off, func, funcOff, msg, rule, objname + ": warning: objtool: " + text));
  }
}
