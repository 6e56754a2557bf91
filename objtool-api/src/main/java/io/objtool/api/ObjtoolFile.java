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
 * An object being checked, as passes see it (read-only): the ELF file, its decoded instructions
 * (per executable section, in offset order) with their stack operations, its functions, the
 * options, the architecture and the warning output. The questions about instructions (the Java
 * form of objtool's insn.c) are answered by {@link #insns()}.
 */
public final class ObjtoolFile {
  private final ElfFile elf;
  private final Options options;
  private final Arch arch;
  private final Diagnostics diag;
  /** Instruction tables per section index (null for sections without code). */
  final InsnTable[] tables;
  /** The section tables in the order they were made, and the file-wide number of each one's row 0. */
  private InsnTable[] byBase = new InsnTable[8];
  private int[] bases = new int[8];
  private int tableCount;
  /** The table a decode is filling ({@link #beginInstructions}), or null. */
  private InsnTable building;
  /** The pseudo-instructions (NOPs padding short alternatives), in no section's list; made on first use. */
  private InsnTable pseudo;
  private final Map<Symbol, Func> funcs = new IdentityHashMap<>();
  /** Distinct stack-operation sequences, 6 ints an operation (shared: a few thousand serve millions of instructions). */
  private int[] opPool = new int[1024];
  private int opCount;
  /** Per sequence number (0: the empty sequence), its pool start << 3 | its count. */
  private int[] seqHandles = new int[256];
  private int seqCount = 1;
  /** Open-addressing index of {@link #opPool}'s sequences by content: their numbers, 0 for empty. */
  private int[] opIndex = new int[1024];
  private int opIndexUsed;
  private long nrInsns;
  /** Set by --no-unreachable (and by the engine in a few cases): skip unreachable-code warnings. */
  boolean ignoreUnreachables;
  final Map<Object, Object> attachments = new IdentityHashMap<>();
  boolean changed;
  Compat compat = Compat.V6_12;
  private final Insns insnLayer = new Insns(this);
  private final List<StateSlot> slots = new ArrayList<>();
  private boolean slotsFrozen;

  static {
    io.objtool.api.internal.Model.install(new ModelAccess());
  }

  /**
   * A model of {@code elf} to check with {@code options}.
   *
   * @param elf the object
   * @param options the command line
   * @param arch the architecture that decodes its instructions
   * @param diag where warnings go
   */
  public ObjtoolFile(ElfFile elf, Options options, Arch arch, Diagnostics diag) {
    this.elf = elf;
    this.options = options;
    this.arch = arch;
    this.diag = diag;
    this.tables = new InsnTable[elf.sections().size()];
    this.ignoreUnreachables = options.noUnreachable();
  }

  /** The ELF object. */
  public ElfFile elf() { return elf; }
  /** The command line. */
  public Options options() { return options; }
  /** The architecture (decoder, initial CFI). */
  public Arch arch() { return arch; }
  /** Where passes report warnings. */
  public Diagnostics diag() { return diag; }
  /** Number of decoded instructions. */
  public long nrInsns() { return nrInsns; }
  /** The instruction helpers (objtool's insn.c) over this object. */
  public Insns insns() { return insnLayer; }

  /** Which objtool's rules the check follows. */
  public Compat compat() { return compat; }

  /** Whether a pass changed the object (so it must be written). */
  public boolean changed() { return changed; }

  /** Whether unreachable-code warnings are skipped ({@code --no-unreachable}, or after some warnings). */
  public boolean ignoreUnreachables() { return ignoreUnreachables; }

  /**
   * A new per-path value for a pass ({@link StateSlot}); call it while building the pass's
   * visitor, before the walk starts.
   *
   * @param name a name for messages
   * @param splitsVisits whether a non-zero value makes the engine walk an instruction again
   *     that was walked with the value zero (and vice versa)
   * @throws IllegalStateException once the walk has started
   */
  public StateSlot newStateSlot(String name, boolean splitsVisits) {
    if (slotsFrozen) throw new IllegalStateException("state slot " + name + " created after the walk started");
    StateSlot s = new StateSlot(slots.size(), name, splitsVisits);
    slots.add(s);
    return s;
  }

  int slotCount() {
    slotsFrozen = true;
    return slots.size();
  }

  // ---------------------------------------------------------------- building

  /**
   * Starts the instruction table of {@code sec}, for {@code capacity} instructions (it grows when
   * more come); {@link #addInstruction} fills it in offset order, {@link #endInstructions} ends it.
   */
  void beginInstructions(Section sec, int capacity) {
    if (sec.index() >= tables.length) throw new IllegalArgumentException(sec.name());
    if (building != null) throw new IllegalStateException("instructions of " + building.sec.name() + " not ended");
    if (tables[sec.index()] != null) throw new IllegalStateException(sec.name() + " decoded twice");
    building = new InsnTable(this, sec, capacity, tableCount * 0x61c88647 + 1);
  }

  /** Appends an instruction to the table being built; returns its index. */
  int addInstruction(int offset, int len, int type, long immediate, int flags, int[] ops, int from, int count) {
    InsnTable t = building;
    int i = t.add(null, offset, len, type, immediate, flags);
    if (count != 0) t.setOpsId(i, internOps(ops, from, count));
    return i;
  }

  /** Ends the table being built: it becomes the section's instructions. */
  void endInstructions() {
    InsnTable t = building;
    building = null;
    t.trim();
    long next = tableCount == 0 ? 0 : (long) bases[tableCount - 1] + byBase[tableCount - 1].count;
    if (next + t.count >= Integer.MAX_VALUE) throw new IllegalStateException("more than 2^31 instructions");
    t.base = (int) next;
    if (tableCount == byBase.length) {
      byBase = Arrays.copyOf(byBase, tableCount * 2);
      bases = Arrays.copyOf(bases, tableCount * 2);
    }
    byBase[tableCount] = t;
    bases[tableCount++] = t.base;
    tables[t.sec.index()] = t;
    nrInsns += t.count;
  }

  /** A pseudo-instruction (in no section's list) at {@code offset} of {@code sec}. */
  Instruction newPseudoInstruction(Section sec, int offset, int len, int type, long immediate) {
    if (pseudo == null) pseudo = new InsnTable(this, null, 8, -1);
    return new Instruction(pseudo, pseudo.add(sec, offset, len, type, immediate, 0));
  }

  /** The instruction with file-wide number {@code id} (a row of a section's table). */
  Instruction insnById(int id) {
    int lo = 0, hi = tableCount - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (bases[mid] <= id) lo = mid;
      else hi = mid - 1;
    }
    InsnTable t = byBase[lo];
    return new Instruction(t, id - t.base);
  }

  /** The table of section {@code sec}, or null (also for a null section). */
  InsnTable table(Section sec) {
    if (sec == null) return null;
    int si = sec.index();
    return si < tables.length ? tables[si] : null;
  }

  /** Records the stack operations of {@code insn} (6 ints each: dest type, reg, offset, src type, reg, offset). */
  void setStackOps(Instruction insn, int[] ops, int from, int count) {
    insn.t.setOpsId(insn.i, count == 0 ? 0 : internOps(ops, from, count));
  }

  /** The number of a sequence equal to {@code ops[from..]}, added when new. */
  private int internOps(int[] ops, int from, int count) {
    int n = count * 6;
    int mask = opIndex.length - 1;
    int slot = opsHash(ops, from, count) & mask;
    for (int id; (id = opIndex[slot]) != 0; slot = (slot + 1) & mask) {
      int h = seqHandles[id];
      int start = (h >>> 3) * 6;
      if ((h & 7) == count && Arrays.equals(opPool, start, start + n, ops, from, from + n)) return id;
    }
    int need = (opCount + count) * 6;
    if (need > opPool.length) opPool = Arrays.copyOf(opPool, Math.max(need, opPool.length * 2));
    System.arraycopy(ops, from, opPool, opCount * 6, n);
    int handle = (opCount << 3) | count;
    opCount += count;
    if (seqCount == seqHandles.length) seqHandles = Arrays.copyOf(seqHandles, seqCount * 2);
    int id = seqCount++;
    seqHandles[id] = handle;
    opIndex[slot] = id;
    if (++opIndexUsed * 2 > opIndex.length) growOpIndex();
    return id;
  }

  private static int opsHash(int[] ops, int from, int count) {
    int h = count;
    for (int i = from, end = from + count * 6; i < end; i++) h = h * 31 + ops[i];
    return h ^ (h >>> 16);
  }

  private void growOpIndex() {
    int[] old = opIndex;
    opIndex = new int[old.length * 2];
    int mask = opIndex.length - 1;
    for (int id : old) {
      if (id == 0) continue;
      int h = seqHandles[id];
      int slot = opsHash(opPool, (h >>> 3) * 6, h & 7) & mask;
      while (opIndex[slot] != 0) slot = (slot + 1) & mask;
      opIndex[slot] = id;
    }
  }

  /** Number of stack operations of {@code insn}. */
  public int stackOpCount(Instruction insn) { return seqHandles[insn.t.opsId(insn.i)] & 7; }
  private int op(Instruction insn, int i, int field) { return opPool[((seqHandles[insn.t.opsId(insn.i)] >>> 3) + i) * 6 + field]; }
  /** The DestType of stack operation {@code i} of {@code insn}. */
  public OpDestType opDestType(Instruction insn, int i) { return OpDestType.of(op(insn, i, 0)); }
  /** The DestReg of stack operation {@code i} of {@code insn}. */
  public int opDestReg(Instruction insn, int i) { return op(insn, i, 1); }
  /** The DestOffset of stack operation {@code i} of {@code insn}. */
  public int opDestOffset(Instruction insn, int i) { return op(insn, i, 2); }
  /** The SrcType of stack operation {@code i} of {@code insn}. */
  public OpSrcType opSrcType(Instruction insn, int i) { return OpSrcType.of(op(insn, i, 3)); }
  /** The SrcReg of stack operation {@code i} of {@code insn}. */
  public int opSrcReg(Instruction insn, int i) { return op(insn, i, 4); }
  /** The SrcOffset of stack operation {@code i} of {@code insn}. */
  public int opSrcOffset(Instruction insn, int i) { return op(insn, i, 5); }

  /** The {@link Func} of a function or code symbol, created on first use. */
  public Func func(Symbol sym) {
    return sym == null ? null : funcs.computeIfAbsent(sym, Func::new);
  }

  /** Known function objects (those created so far). */
  public java.util.Collection<Func> funcs() { return Collections.unmodifiableCollection(funcs.values()); }

}
