package io.objtool.api;

import io.objtool.api.arch.Arch;
import io.objtool.api.arch.InsnType;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * An object being checked: the ELF file, its decoded instructions (per executable section, in
 * offset order), its functions, and the instruction helpers every pass shares — the Java form of
 * objtool's insn.c: {@link #findInsn}, {@link #nextInsnSameSec}, {@link #nextInsnSameFunc},
 * {@link #prevInsnSameSym}, {@link #findLastInsn}, {@link #insnReloc}, {@link #insnCfiMatch},
 * {@link #sameFunction}, {@link #isFirstFuncInsn}, {@link #initInsnState} and the iterations.
 */
public final class ObjtoolFile {
  private final ElfFile elf;
  private final Options options;
  private final Arch arch;
  private final Diagnostics diag;
  /** Instructions per section index (null for sections without code). */
  private final Instruction[][] insns;
  /** Per section: the instructions' offsets, for a cache-friendly binary search. */
  private final int[][] offsets;
  private final Map<Symbol, Func> funcs = new IdentityHashMap<>();
  private int[] opPool = new int[1024];
  private int opCount;
  private long nrInsns;
  /** Set by --no-unreachable (and by the engine in a few cases): skip unreachable-code warnings. */
  public boolean ignoreUnreachables;
  private final Map<Object, Object> attachments = new IdentityHashMap<>();
  private boolean changed;
  private Compat compat = Compat.V6_12;

  public ObjtoolFile(ElfFile elf, Options options, Arch arch, Diagnostics diag) {
    this.elf = elf;
    this.options = options;
    this.arch = arch;
    this.diag = diag;
    this.insns = new Instruction[elf.sections().size()][];
    this.offsets = new int[elf.sections().size()][];
    this.ignoreUnreachables = options.noUnreachable();
  }

  public ElfFile elf() { return elf; }
  public Options options() { return options; }
  public Arch arch() { return arch; }
  public Diagnostics diag() { return diag; }
  public long nrInsns() { return nrInsns; }

  /** Which objtool's rules the check follows. */
  public Compat compat() { return compat; }
  public void setCompat(Compat c) { compat = c; }

  /** Whether a pass changed the object (so it must be written). */
  public boolean changed() { return changed; }
  public void markChanged() { changed = true; }

  /** Per-pass state stored with the file, keyed by the pass's own key object. */
  @SuppressWarnings("unchecked")
  public <T> T attachment(Object key) { return (T) attachments.get(key); }
  public void attach(Object key, Object value) { attachments.put(key, value); }

  // ---------------------------------------------------------------- building

  /** Sets a section's decoded instructions (offset order); indexes them. */
  public void setInstructions(Section sec, List<Instruction> list) {
    Instruction[] a = list.toArray(new Instruction[0]);
    int[] o = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      a[i].index = i;
      o[i] = a[i].offset;
    }
    if (sec.index() >= insns.length) throw new IllegalArgumentException(sec.name());
    insns[sec.index()] = a;
    offsets[sec.index()] = o;
    nrInsns += a.length;
  }

  /** Records the stack operations of {@code insn} (6 ints each: dest type, reg, offset, src type, reg, offset). */
  public void setStackOps(Instruction insn, int[] ops, int from, int count) {
    if (count == 0) {
      insn.ops = 0;
      return;
    }
    int need = (opCount + count) * 6;
    if (need > opPool.length) opPool = Arrays.copyOf(opPool, Math.max(need, opPool.length * 2));
    System.arraycopy(ops, from, opPool, opCount * 6, count * 6);
    insn.ops = (opCount << 3) | count;
    opCount += count;
  }

  public int stackOpCount(Instruction insn) { return insn.ops & 7; }
  private int op(Instruction insn, int i, int field) { return opPool[((insn.ops >>> 3) + i) * 6 + field]; }
  public OpDestType opDestType(Instruction insn, int i) { return OpDestType.of(op(insn, i, 0)); }
  public int opDestReg(Instruction insn, int i) { return op(insn, i, 1); }
  public int opDestOffset(Instruction insn, int i) { return op(insn, i, 2); }
  public OpSrcType opSrcType(Instruction insn, int i) { return OpSrcType.of(op(insn, i, 3)); }
  public int opSrcReg(Instruction insn, int i) { return op(insn, i, 4); }
  public int opSrcOffset(Instruction insn, int i) { return op(insn, i, 5); }

  /** The {@link Func} of a function or code symbol, created on first use. */
  public Func func(Symbol sym) {
    return sym == null ? null : funcs.computeIfAbsent(sym, Func::new);
  }

  /** Known function objects (those created so far). */
  public java.util.Collection<Func> funcs() { return Collections.unmodifiableCollection(funcs.values()); }

  // ---------------------------------------------------------------- insn.c helpers

  /** The instructions of a section in offset order (empty when it has none). */
  public List<Instruction> instructions(Section sec) {
    Instruction[] a = sec.index() < insns.length ? insns[sec.index()] : null;
    return a == null ? List.of() : Collections.unmodifiableList(Arrays.asList(a));
  }

  public boolean hasInstructions(Section sec) {
    return sec.index() < insns.length && insns[sec.index()] != null;
  }

  /** The instruction starting at {@code offset} of {@code sec}, or null. O(log n). */
  public Instruction findInsn(Section sec, long offset) {
    int si = sec.index();
    if (si >= insns.length || insns[si] == null || offset < 0 || offset > Integer.MAX_VALUE) return null;
    int i = java.util.Arrays.binarySearch(offsets[si], (int) offset);
    return i >= 0 ? insns[si][i] : null;
  }

  /** The next instruction of the same section, or null. */
  public Instruction nextInsnSameSec(Instruction insn) {
    Instruction[] a = insns[insn.sec.index()];
    int i = insn.index + 1;
    return a == null || i >= a.length || a[insn.index] != insn ? null : a[i];
  }

  /**
   * Where a walk goes after {@code insn}: alternatives are patched in place, so the end of a
   * replacement (or the NOP padding it) flows on after its original group.
   */
  public Instruction nextInsnToValidate(Instruction insn) {
    AltGroup g = insn.altGroup;
    if (g != null) {
      if (g.nop != null) {
        if (insn == g.lastInsn) return g.nop;
        if (insn == g.nop) return nextInsnSameSec(g.origGroup.lastInsn);
      }
      if (insn == g.lastInsn && g.origGroup != null) return nextInsnSameSec(g.origGroup.lastInsn);
    }
    return nextInsnSameSec(insn);
  }

  /** The previous instruction of the same section, or null. */
  public Instruction prevInsnSameSec(Instruction insn) {
    Instruction[] a = insns[insn.sec.index()];
    int i = insn.index - 1;
    return a == null || i < 0 || a[insn.index] != insn ? null : a[i];
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
    return prev != null && prev.sym == insn.sym ? prev : null;
  }

  /** The last instruction of a section: one that starts in its last 10 bytes. */
  public Instruction findLastInsn(Section sec) {
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
    if (insn.reloc != -2) return insn.reloc;
    Instruction[] a = insn.sec.index() < insns.length ? insns[insn.sec.index()] : null;
    Relocations r = insn.sec.relocations();
    if (a == null || a[insn.index] != insn || r == null) {
      insn.reloc = r == null ? -1 : r.find(insn.offset(), insn.length());
      return insn.reloc;
    }
    // first question about this section: answer it for every instruction in one merge of the
    // two offset-ordered lists
    int k = 0;
    int n = r.count();
    for (Instruction x : a) {
      long start = x.offset();
      while (k < n && r.offset(r.byOffset(k)) < start) k++;
      int idx = -1;
      if (k < n) {
        int e = r.byOffset(k);
        if (r.offset(e) < start + x.length()) idx = e;
      }
      if (x.reloc == -2) x.reloc = idx;
    }
    return insn.reloc;
  }

  /** The relocations of {@code insn}'s section (null when it has none). */
  public Relocations relocs(Instruction insn) {
    return insn.sec.relocations();
  }

  /** True when both instructions belong to the same function (counting {@code .cold} parts). */
  public static boolean sameFunction(Instruction a, Instruction b) {
    Func fa = a.func(), fb = b.func();
    if (fa == null || fb == null) return fa == fb;
    return fa.pfunc == fb.pfunc;
  }

  /** True for the first instruction of its function (or the one right after a leading ENDBR). */
  public static boolean isFirstFuncInsn(Instruction insn) {
    Func f = insn.func();
    if (f == null) return false;
    return insn.offset() == f.offset()
        || (insn.type() == InsnType.ENDBR && insn.offset() == f.offset() + insn.length());
  }

  /**
   * Compares the CFI recorded at {@code insn} with {@code cfi2}; on a mismatch reports it the way
   * the reference does and returns false.
   */
  public boolean insnCfiMatch(Instruction insn, CfiState cfi2) {
    CfiState c1 = insn.cfi;
    if (c1 == null) {
      diag.warn("CFI missing");
      return false;
    }
    if (c1.cfaBase != cfi2.cfaBase || c1.cfaOffset != cfi2.cfaOffset) {
      diag.warnAt(insn.sec, insn.offset(), "stack state mismatch: cfa1=" + c1.cfaBase + signed(c1.cfaOffset)
          + " cfa2=" + cfi2.cfaBase + signed(cfi2.cfaOffset));
      return false;
    }
    for (int i = 0; i < CfiState.NUM_REGS; i++) {
      if (c1.regBase[i] != cfi2.regBase[i] || c1.regOffset[i] != cfi2.regOffset[i]) {
        diag.warnAt(insn.sec, insn.offset(), "stack state mismatch: reg1[" + i + "]=" + c1.regBase[i] + signed(c1.regOffset[i])
            + " reg2[" + i + "]=" + cfi2.regBase[i] + signed(cfi2.regOffset[i]));
        return false;
      }
    }
    if (c1.type != cfi2.type) {
      diag.warnAt(insn.sec, insn.offset(), "stack state mismatch: type1=" + c1.type + " type2=" + cfi2.type);
      return false;
    }
    if (c1.drap != cfi2.drap || (c1.drap && c1.drapReg != cfi2.drapReg) || (c1.drap && c1.drapOffset != cfi2.drapOffset)) {
      diag.warnAt(insn.sec, insn.offset(), "stack state mismatch: drap1=" + (c1.drap ? 1 : 0) + "(" + c1.drapReg + "," + c1.drapOffset
          + ") drap2=" + (cfi2.drap ? 1 : 0) + "(" + cfi2.drapReg + "," + cfi2.drapOffset + ")");
      return false;
    }
    return true;
  }

  /** {@code %+d}. */
  public static String signed(long v) {
    return v >= 0 ? "+" + v : Long.toString(v);
  }

  /** A fresh state for a walk starting in {@code sec}: undefined CFI, uaccess off. */
  public InsnState initInsnState(Section sec) {
    InsnState s = new InsnState();
    if (options.link() && options.noinstr() && sec != null) s.noinstr = isNoinstrSection(sec);
    return s;
  }

  /** Sections whose code must not call instrumentable code. */
  public static boolean isNoinstrSection(Section sec) {
    String n = sec.name();
    return n.equals(".noinstr.text") || n.equals(".entry.text") || n.equals(".cpuidle.text") || n.startsWith(".text..__x86.");
  }

  // ---------------------------------------------------------------- iterations

  /** All instructions: sections in header order, offsets ascending. */
  public Iterable<Instruction> allInsns() {
    return () -> new Iterator<>() {
      int sec = nextSec(0);
      int i;

      private int nextSec(int from) {
        while (from < insns.length && (insns[from] == null || insns[from].length == 0)) from++;
        return from;
      }

      @Override
      public boolean hasNext() {
        return sec < insns.length;
      }

      @Override
      public Instruction next() {
        if (!hasNext()) throw new NoSuchElementException();
        Instruction x = insns[sec][i++];
        if (i == insns[sec].length) {
          sec = nextSec(sec + 1);
          i = 0;
        }
        return x;
      }
    };
  }

  /** The instructions of a function, then of its {@code .cold} part. */
  public Iterable<Instruction> funcInsns(Func func) {
    return walk(findInsn(func.section(), func.offset()), this::nextInsnSameFunc);
  }

  /** The instructions covered by a symbol's {@code [offset, offset+len)}. */
  public Iterable<Instruction> symInsns(Func sym) {
    long end = sym.offset() + sym.len();
    return walk(findInsn(sym.section(), sym.offset()), x -> {
      Instruction n = nextInsnSameSec(x);
      return n != null && n.offset() < end ? n : null;
    });
  }

  /** The instructions before {@code insn} back to the start of {@code sym}, nearest first. */
  public Iterable<Instruction> symInsnsReverseFrom(Func sym, Instruction insn) {
    Instruction first = prevInsnSameSec(insn);
    return walk(first != null && first.offset() >= sym.offset() ? first : null, x -> {
      Instruction p = prevInsnSameSec(x);
      return p != null && p.offset() >= sym.offset() ? p : null;
    });
  }

  /** {@code insn} and the instructions after it in its section. */
  public Iterable<Instruction> secInsnsFrom(Instruction insn) {
    return walk(insn, this::nextInsnSameSec);
  }

  /** The instructions after {@code insn} in its section. */
  public Iterable<Instruction> secInsnsContinue(Instruction insn) {
    return walk(nextInsnSameSec(insn), this::nextInsnSameSec);
  }

  /** Instructions matching {@code p}, over all sections. */
  public List<Instruction> select(Predicate<Instruction> p) {
    List<Instruction> out = new ArrayList<>();
    for (Instruction i : allInsns()) if (p.test(i)) out.add(i);
    return out;
  }

  private static Iterable<Instruction> walk(Instruction first, java.util.function.UnaryOperator<Instruction> step) {
    return () -> new Iterator<>() {
      Instruction cur = first;

      @Override
      public boolean hasNext() {
        return cur != null;
      }

      @Override
      public Instruction next() {
        if (cur == null) throw new NoSuchElementException();
        Instruction x = cur;
        cur = step.apply(cur);
        return x;
      }
    };
  }
}
