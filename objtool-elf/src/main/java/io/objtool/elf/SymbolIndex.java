package io.objtool.elf;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The symbols of one section sorted by address, with O(log n) lookups of the symbol (or
 * function) that starts at or covers a section offset. Section and file symbols are left out.
 */
public final class SymbolIndex {
  private static final Comparator<Symbol> BY_ADDRESS =
      Comparator.comparingLong(Symbol::value).thenComparingInt(Symbol::index);

  private final Section section;
  private Symbol[] all;
  private long[] allMaxEnd;
  private Symbol[] funcs;
  private long[] funcsMaxEnd;
  private List<Symbol> allView;
  private List<Symbol> funcsView;

  SymbolIndex(Section section) {
    this.section = section;
  }

  void invalidate() {
    all = null;
    funcs = null;
    allView = null;
    funcsView = null;
  }

  void set(Symbol[] symbols, int count) {
    Symbol[] s = Arrays.copyOf(symbols, count);
    Arrays.sort(s, BY_ADDRESS);
    all = s;
    allMaxEnd = maxEnds(s);
    int n = 0;
    for (Symbol sym : s) if (sym.isFunction()) n++;
    Symbol[] f = new Symbol[n];
    n = 0;
    for (Symbol sym : s) if (sym.isFunction()) f[n++] = sym;
    funcs = f;
    funcsMaxEnd = maxEnds(f);
    allView = java.util.Collections.unmodifiableList(java.util.Arrays.asList(s));
    funcsView = java.util.Collections.unmodifiableList(java.util.Arrays.asList(f));
  }

  private static long[] maxEnds(Symbol[] s) {
    long[] m = new long[s.length];
    long max = Long.MIN_VALUE;
    for (int i = 0; i < s.length; i++) {
      max = Math.max(max, s[i].end());
      m[i] = max;
    }
    return m;
  }

  private void ensure() {
    if (all == null) section.file.indexSymbols(section);
  }

  /** All indexed symbols of the section, by address. */
  public List<Symbol> all() {
    ensure();
    return allView;
  }

  /** The functions ({@code STT_FUNC}) of the section, by address. */
  public List<Symbol> functions() {
    ensure();
    return funcsView;
  }

  /** The first symbol (by symtab order among equals) starting exactly at {@code offset}, or null. */
  public Symbol at(long offset) {
    ensure();
    return startingAt(all, offset);
  }

  /** The function starting exactly at {@code offset}, or null. */
  public Symbol functionAt(long offset) {
    ensure();
    return startingAt(funcs, offset);
  }

  /** The innermost symbol whose {@code [value, value+size)} covers {@code offset}, or null. */
  public Symbol containing(long offset) {
    ensure();
    return covering(all, allMaxEnd, offset);
  }

  /** The innermost function whose {@code [value, value+size)} covers {@code offset}, or null. */
  public Symbol functionContaining(long offset) {
    ensure();
    return covering(funcs, funcsMaxEnd, offset);
  }

  /** Index of the last symbol whose start is <= offset, or -1. */
  private static int floor(Symbol[] s, long offset) {
    int lo = 0, hi = s.length - 1, r = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (s[mid].value <= offset) {
        r = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return r;
  }

  private static Symbol startingAt(Symbol[] s, long offset) {
    int i = floor(s, offset);
    if (i < 0 || s[i].value != offset) return null;
    while (i > 0 && s[i - 1].value == offset) i--;
    return s[i];
  }

  private static Symbol covering(Symbol[] s, long[] maxEnd, long offset) {
    for (int i = floor(s, offset); i >= 0 && maxEnd[i] > offset; i--) {
      Symbol sym = s[i];
      if (sym.value + sym.size > offset) {
        // prefer the first in symtab order among symbols with the same start
        while (i > 0 && s[i - 1].value == sym.value && s[i - 1].end() > offset) sym = s[--i];
        return sym;
      }
    }
    return null;
  }
}
