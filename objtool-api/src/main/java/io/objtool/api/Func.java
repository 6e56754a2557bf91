package io.objtool.api;

import io.objtool.elf.Elf;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * A function or code symbol as objtool sees it: the ELF symbol plus its parent/child links for
 * {@code .cold} parts ({@code pfunc}, {@code cfunc}), its alias (the first function symbol at the
 * same place), its length (shortened when a {@code .cold} child sits inside it) and per-function
 * flags (uaccess-safe, static-call trampoline, already warned about).
 */
public final class Func {
  final Symbol sym;
  Func pfunc = this;
  Func cfunc = this;
  Func alias = this;
  long len;
  boolean uaccessSafe;
  boolean staticCallTramp;
  boolean ignore;
  boolean warned;

  Func(Symbol sym) {
    this.sym = sym;
    this.len = sym.size();
  }

  public Symbol symbol() { return sym; }
  public String name() { return sym.name(); }
  public Section section() { return sym.section(); }
  public long offset() { return sym.value(); }
  /** The length objtool uses: {@code st_size}, less an embedded {@code .cold} child. */
  public long len() { return len; }
  public long end() { return sym.value() + len; }
  public boolean isFunction() { return sym.type() == Elf.STT_FUNC; }
  /** The parent of a {@code .cold} part, or itself. */
  public Func pfunc() { return pfunc; }
  /** The {@code .cold} part of a function, or itself. */
  public Func cfunc() { return cfunc; }
  public Func alias() { return alias; }
  public boolean uaccessSafe() { return uaccessSafe; }
  public boolean staticCallTramp() { return staticCallTramp; }
  public boolean ignored() { return ignore; }
  public boolean warned() { return warned; }

  @Override
  public String toString() {
    return sym.name();
  }
}
