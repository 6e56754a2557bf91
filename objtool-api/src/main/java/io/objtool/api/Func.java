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

  /** The ELF symbol. */
  public Symbol symbol() { return sym; }
  /** The symbol name. */
  public String name() { return sym.name(); }
  /** The section of the symbol. */
  public Section section() { return sym.section(); }
  /** The symbol value (offset in its section). */
  public long offset() { return sym.value(); }
  /** The length objtool uses: {@code st_size}, less an embedded {@code .cold} child. */
  public long len() { return len; }
  /** {@code offset() + len()}. */
  public long end() { return sym.value() + len; }
  /** Whether the symbol is {@code STT_FUNC} (not just a code symbol). */
  public boolean isFunction() { return sym.type() == Elf.STT_FUNC; }
  /** The parent of a {@code .cold} part, or itself. */
  public Func pfunc() { return pfunc; }
  /** The {@code .cold} part of a function, or itself. */
  public Func cfunc() { return cfunc; }
  /** The first function symbol at the same place (itself when none other). */
  public Func alias() { return alias; }
  /** Whether it may run with user access enabled ({@code --uaccess}). */
  public boolean uaccessSafe() { return uaccessSafe; }
  /** Whether it is a static-call trampoline. */
  public boolean staticCallTramp() { return staticCallTramp; }
  /** Whether it is not validated ({@code STACK_FRAME_NON_STANDARD}). */
  public boolean ignored() { return ignore; }
  /** Whether a warning was reported about it (later ones are dropped, as objtool does). */
  public boolean warned() { return warned; }

  @Override
  public String toString() {
    return sym.name();
  }
}
