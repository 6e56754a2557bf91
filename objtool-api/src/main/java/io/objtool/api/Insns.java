package io.objtool.api;

import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * The instruction layer, the Java form of objtool's insn.c: questions about the instructions of
 * one {@link ObjtoolFile} that every pass shares — {@link #findInsn}, {@link #nextInsnSameSec},
 * {@link #nextInsnSameFunc}, {@link #prevInsnSameSym}, {@link #findLastInsn}, {@link #insnReloc},
 * {@link #insnCfiMatch}, {@link #sameFunction} — and the per-section, per-symbol and
 * per-function iterations. It answers; it reports nothing itself (a CFI mismatch comes back to
 * the caller, whose rule decides how to warn).
 *
 * <p>A null section is one outside the object's sections (the section of an {@code SHN_ABS} or
 * {@code SHN_COMMON} symbol): it has no instructions, as the reference's section 0 has none.
 */
public final class Insns {
  private final ObjtoolFile file;

  Insns(ObjtoolFile file) {
    this.file = file;
  }


  /** The instructions of a section in offset order (empty when it has none, or is null). */
  public List<Instruction> instructions(Section sec) {
    InsnTable t = file.table(sec);
    if (t == null) return List.of();
    return new java.util.AbstractList<>() {
      @Override
      public Instruction get(int index) {
        java.util.Objects.checkIndex(index, t.count);
        return new Instruction(t, index);
      }

      @Override
      public int size() {
        return t.count;
      }
    };
  }

  /** Whether {@code sec} was decoded (an executable section); false for null. */
  public boolean hasInstructions(Section sec) {
    return file.table(sec) != null;
  }

  /** The instruction starting at {@code offset} of {@code sec}, or null (also for a null section). O(log n). */
  public Instruction findInsn(Section sec, long offset) {
    InsnTable t = file.table(sec);
    if (t == null || offset < 0 || offset > Integer.MAX_VALUE) return null;
    int i = Arrays.binarySearch(t.offset, 0, t.count, (int) offset);
    return i >= 0 ? new Instruction(t, i) : null;
  }

  /** The next instruction of the same section, or null. */
  public Instruction nextInsnSameSec(Instruction insn) {
    InsnTable t = insn.t;
    int i = insn.i + 1;
    return t.sec == null || i >= t.count ? null : new Instruction(t, i);
  }

  /**
   * Where a walk goes after {@code insn}: alternatives are patched in place, so the end of a
   * replacement (or the NOP padding it) flows on after its original group.
   */
  public Instruction nextInsnToValidate(Instruction insn) {
    AltGroup g = insn.altGroup();
    if (g != null) {
      if (g.nop != null) {
        if (insn.equals(g.lastInsn)) return g.nop;
        if (insn.equals(g.nop)) return nextInsnSameSec(g.origGroup.lastInsn);
      }
      if (g.origGroup != null && insn.equals(g.lastInsn)) return nextInsnSameSec(g.origGroup.lastInsn);
    }
    return nextInsnSameSec(insn);
  }

  /** The previous instruction of the same section, or null. */
  public Instruction prevInsnSameSec(Instruction insn) {
    InsnTable t = insn.t;
    int i = insn.i - 1;
    return t.sec == null || i < 0 ? null : new Instruction(t, i);
  }

  /**
   * The next instruction of the same function; past the end of a function with a {@code .cold}
   * part, the first instruction of that part. Null at the end.
   */
  public Instruction nextInsnSameFunc(Instruction insn) {
    Func func = insn.func();
    if (func == null) return null;
    Instruction next = nextInsnSameSec(insn);
    if (next != null && next.func() == func) return next;
    if (func == func.cfunc) return null; // already in the cold part, or none
    return findInsn(func.cfunc.section(), func.cfunc.offset());
  }

  /** The previous instruction if it belongs to the same symbol, or null. */
  public Instruction prevInsnSameSym(Instruction insn) {
    Instruction prev = prevInsnSameSec(insn);
    return prev != null && prev.sym() == insn.sym() ? prev : null;
  }

  /** The last instruction of a section: one that starts in its last 10 bytes; null if none (or no section). */
  public Instruction findLastInsn(Section sec) {
    if (sec == null) return null;
    long size = sec.size();
    long end = size > 10 ? size - 10 : 0;
    for (long off = size - 1; off >= end && off >= 0; off--) {
      Instruction insn = findInsn(sec, off);
      if (insn != null) return insn;
    }
    return null;
  }

  /**
   * The index of the relocation inside {@code insn}'s bytes in its section's relocations, or -1.
   * Cached per instruction, the negative answer too.
   */
  public int insnReloc(Instruction insn) {
    InsnTable t = insn.t;
    Relocations r = insn.section().relocations();
    if (r == null) return -1;
    if (t.sec == null) { // a pseudo-instruction: looked up on its own
      if (t.reloc[insn.i] == -2) t.reloc[insn.i] = r.find(insn.offset(), insn.length());
      return t.reloc[insn.i];
    }
    if (t.relocBits == null) relocColumn(t, r);
    int i = insn.i;
    long w = t.relocBits[i >>> 6];
    long bit = 1L << i;
    if ((w & bit) == 0) return -1;
    return t.relocIdx[t.relocRank[i >>> 6] + Long.bitCount(w & (bit - 1))];
  }

  /**
   * Answers the relocation question for every instruction of {@code t} in one merge of the two
   * offset-ordered lists, kept sparse: a bit per instruction, a running count per 64 of them, and
   * the relocation index of those that have one (most have none).
   */
  private static void relocColumn(InsnTable t, Relocations r) {
    int count = t.count;
    long[] bits = new long[(count + 63) >>> 6];
    int[] rank = new int[bits.length];
    int n = r.count();
    int found = 0;
    for (int pass = 0; pass < 2; pass++) {
      int[] idx = pass == 0 ? null : new int[found];
      int k = 0;
      int m = 0;
      for (int i = 0; i < count; i++) {
        long start = t.offset[i] & 0xffffffffL;
        while (k < n && r.offset(r.byOffset(k)) < start) k++;
        if (k >= n) break;
        int e = r.byOffset(k);
        if (r.offset(e) >= start + t.len[i]) continue;
        if (pass == 0) {
          bits[i >>> 6] |= 1L << i;
          found++;
        } else {
          idx[m++] = e;
        }
      }
      if (pass == 1) t.relocIdx = idx;
    }
    for (int w = 1; w < bits.length; w++) rank[w] = rank[w - 1] + Long.bitCount(bits[w - 1]);
    t.relocRank = rank;
    t.relocBits = bits;
  }

  /** The relocations of {@code insn}'s section (null when it has none). */
  public Relocations relocs(Instruction insn) {
    return insn.section().relocations();
  }

  /** True when both instructions belong to the same function (counting {@code .cold} parts). */
  public static boolean sameFunction(Instruction a, Instruction b) {
    Func fa = a.func(), fb = b.func();
    if (fa == null || fb == null) return fa == fb;
    return fa.pfunc == fb.pfunc;
  }

  /**
   * Compares the CFI recorded at {@code insn} with {@code cfi2} (the state of a path reaching it
   * again), in objtool's order: CFA, saved registers, unwind type, DRAP.
   *
   * @return null when they agree, else the mismatch in objtool's words (e.g.
   *     {@code stack state mismatch: cfa1=4+16 cfa2=4+8}); {@link CfiMismatch#located()} is false
   *     when the instruction has no CFI at all ({@code CFI missing}, reported without a location)
   */
  public CfiMismatch insnCfiMatch(Instruction insn, CfiState cfi2) {
    CfiState c1 = insn.t.cfi[insn.i];
    if (c1 == null) return new CfiMismatch("CFI missing", false);
    if (c1.cfaBase() != cfi2.cfaBase() || c1.cfaOffset() != cfi2.cfaOffset()) {
      return new CfiMismatch("stack state mismatch: cfa1=" + c1.cfaBase() + signed(c1.cfaOffset())
          + " cfa2=" + cfi2.cfaBase() + signed(cfi2.cfaOffset()), true);
    }
    for (int i = 0; i < c1.regCount(); i++) {
      if (c1.regBase(i) != cfi2.regBase(i) || c1.regOffset(i) != cfi2.regOffset(i)) {
        return new CfiMismatch("stack state mismatch: reg1[" + i + "]=" + c1.regBase(i) + signed(c1.regOffset(i))
            + " reg2[" + i + "]=" + cfi2.regBase(i) + signed(cfi2.regOffset(i)), true);
      }
    }
    if (c1.type() != cfi2.type()) {
      return new CfiMismatch("stack state mismatch: type1=" + c1.type() + " type2=" + cfi2.type(), true);
    }
    if (c1.drap() != cfi2.drap() || (c1.drap() && c1.drapReg() != cfi2.drapReg())
        || (c1.drap() && c1.drapOffset() != cfi2.drapOffset())) {
      return new CfiMismatch("stack state mismatch: drap1=" + (c1.drap() ? 1 : 0) + "(" + c1.drapReg() + "," + c1.drapOffset()
          + ") drap2=" + (cfi2.drap() ? 1 : 0) + "(" + cfi2.drapReg() + "," + cfi2.drapOffset() + ")", true);
    }
    return null;
  }

  /**
   * How two CFI states disagree (see {@link #insnCfiMatch}).
   *
   * @param message the mismatch in objtool's words
   * @param located whether it is about the instruction's location (false: {@code CFI missing})
   */
  public record CfiMismatch(String message, boolean located) {}

  /** {@code %+d}. */
  public static String signed(long v) {
    return v >= 0 ? "+" + v : Long.toString(v);
  }


  /** All instructions: sections in header order, offsets ascending. */
  public Iterable<Instruction> allInsns() {
    return () -> new Iterator<>() {
      int sec = nextSec(0);
      int i;

      private int nextSec(int from) {
        while (from < file.tables.length && (file.tables[from] == null || file.tables[from].count == 0)) from++;
        return from;
      }

      @Override
      public boolean hasNext() {
        return sec < file.tables.length;
      }

      @Override
      public Instruction next() {
        if (!hasNext()) throw new NoSuchElementException();
        Instruction x = new Instruction(file.tables[sec], i++);
        if (i == file.tables[sec].count) {
          sec = nextSec(sec + 1);
          i = 0;
        }
        return x;
      }
    };
  }

  /** The instructions of a function, then of its {@code .cold} part. */
  public Iterable<Instruction> funcInsns(Func func) {
    Instruction first = findInsn(func.section(), func.offset());
    return () -> new Walk(first) {
      @Override
      Instruction step(Instruction x) {
        return nextInsnSameFunc(x);
      }
    };
  }

  /** The instructions covered by a symbol's {@code [offset, offset+len)}. */
  public Iterable<Instruction> symInsns(Func sym) {
    Instruction first = findInsn(sym.section(), sym.offset());
    long end = sym.offset() + sym.len();
    return () -> new Walk(first) {
      @Override
      Instruction step(Instruction x) {
        Instruction n = nextInsnSameSec(x);
        return n != null && n.offset() < end ? n : null;
      }
    };
  }

  /** The instructions before {@code insn} back to the start of {@code sym}, nearest first. */
  public Iterable<Instruction> symInsnsReverseFrom(Func sym, Instruction insn) {
    long start = sym.offset();
    Instruction p = prevInsnSameSec(insn);
    Instruction first = p != null && p.offset() >= start ? p : null;
    return () -> new Walk(first) {
      @Override
      Instruction step(Instruction x) {
        Instruction q = prevInsnSameSec(x);
        return q != null && q.offset() >= start ? q : null;
      }
    };
  }

  /** {@code insn} and the instructions after it in its section. */
  public Iterable<Instruction> secInsnsFrom(Instruction insn) {
    return () -> new Walk(insn) {
      @Override
      Instruction step(Instruction x) {
        return nextInsnSameSec(x);
      }
    };
  }

  /** The instructions after {@code insn} in its section. */
  public Iterable<Instruction> secInsnsContinue(Instruction insn) {
    return secInsnsFrom(nextInsnSameSec(insn));
  }

  /** Instructions matching {@code p}, over all sections. */
  public List<Instruction> select(Predicate<Instruction> p) {
    List<Instruction> out = new ArrayList<>();
    for (Instruction i : allInsns()) if (p.test(i)) out.add(i);
    return out;
  }

  /**
   * An iteration from {@code first} by {@link #step} until it gives null. Each iteration above is
   * a class of its own, so that the step is a direct call wherever the JIT compiles the loop; one
   * iterator shared through a function object made that call megamorphic, and the compiled whole-
   * file loops several times slower.
   */
  private abstract static class Walk implements Iterator<Instruction> {
    private Instruction cur;

    Walk(Instruction first) {
      this.cur = first;
    }

    abstract Instruction step(Instruction x);

    @Override
    public final boolean hasNext() {
      return cur != null;
    }

    @Override
    public final Instruction next() {
      if (cur == null) throw new NoSuchElementException();
      Instruction x = cur;
      cur = step(x);
      return x;
    }
  }
}
