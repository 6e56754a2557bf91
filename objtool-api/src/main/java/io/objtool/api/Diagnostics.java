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
  /**
   * Rule {@code section-already-exists}, shared by every pass that writes a section of its own
   * ({@code .orc_unwind}, {@code .return_sites}, {@code .static_call_sites}, ...).
   */
  public static final Rule SECTION_ALREADY_EXISTS = Rule.warning("section-already-exists", "The object already has a section an action would create; the action skips it.");

  private final String objname;
  private final boolean secAddress;
  private final List<Warning> warnings = new ArrayList<>();

  /**
   * Warnings about {@code objname} (the name printed first on each line).
   *
   * @param objname the object's name as given on the command line
   * @param secAddress whether locations also print {@code (SEC+0xOFF)} ({@code --sec-address})
   */
  public Diagnostics(String objname, boolean secAddress) {
    this.objname = objname;
    this.secAddress = secAddress;
  }

  /** The warnings so far, in order. */
  public List<Warning> warnings() {
    return Collections.unmodifiableList(warnings);
  }

  /** The number of warnings so far. */
  public int count() {
    return warnings.size();
  }

  /** A warning of {@code rule} about the function of {@code insn} at {@code insn}, unless it was warned about before. */
  public void warnInsn(Instruction insn, Rule rule, String msg) {
    Func f = insn.sym();
    if (f == null || !f.warned()) warnAt(insn.section(), insn.offset(), rule, msg);
    if (f != null) f.warned = true;
  }

  /** A warning of {@code rule} located at {@code sec+offset}, named after the symbol covering it. */
  public void warnAt(Section sec, long offset, Rule rule, String msg) {
    Symbol sym = covering(sec, offset);
    String where = offstr(sec, offset, sym);
    add(rule, sec.name(), offset, sym == null ? null : sym.name(), sym == null ? -1 : offset - sym.value(), msg, where + ": " + msg);
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

  /** A warning of {@code rule} with no location: {@code FILE: warning: objtool: message}. */
  public void warn(Rule rule, String msg) {
    add(rule, null, -1, null, -1, msg, msg);
  }

  /** A warning of {@code rule} about a function, without an instruction location. */
  public void warnFunction(Func f, Rule rule, String msg) {
    add(rule, f.section() == null ? null : f.section().name(), f.offset(), f.name(), 0, msg, msg);
  }

  private void add(Rule rule, String sec, long off, String func, long funcOff, String msg, String text) {
    warnings.add(new Warning(objname, sec, off, func, funcOff, msg, java.util.Objects.requireNonNull(rule, "rule"),
        objname + ": warning: objtool: " + text));
  }
}
