package io.objtool.api.internal;

import io.objtool.api.AltGroup;
import io.objtool.api.Compat;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * Write access to the model the passes see read-only ({@link Instruction}, {@link Func},
 * {@link AltGroup}, {@link InsnState}, {@link ObjtoolFile}): what the CFG builder and the engine
 * use to build and annotate it. This package is exported only to the engine's modules
 * ({@code io.objtool.check}, {@code io.objtool.orc}, {@code io.objtool.cli}), so a plug-in
 * compiled against the API cannot call it.
 */
public final class Model {
  private Model() {}

  /** The model's side of the bridge, implemented inside {@code io.objtool.api}. */
  public abstract static class Access {
    /** Only {@code io.objtool.api} implements it. */
    protected Access() {}

    /** Implements {@link Model#newPseudoInstruction}. */
    public abstract Instruction newPseudoInstruction(ObjtoolFile file, Section sec, int offset, int len, InsnType type, long immediate);

    /** Implements {@link Model#setType}. */
    public abstract void setType(Instruction insn, InsnType t);

    /** Implements {@link Model#setImmediate}. */
    public abstract void setImmediate(Instruction insn, long imm);

    /** Implements {@link Model#set}. */
    public abstract void set(Instruction insn, int flag);

    /** Implements {@link Model#clear}. */
    public abstract void clear(Instruction insn, int flag);

    /** Implements {@link Model#setVisited}. */
    public abstract void setVisited(Instruction insn, int bits);

    /** Implements {@link Model#setInstr}. */
    public abstract void setInstr(Instruction insn, int v);

    /** Implements {@link Model#setSym}. */
    public abstract void setSym(Instruction insn, Func f);

    /** Implements {@link Model#setJumpDest}. */
    public abstract void setJumpDest(Instruction insn, Instruction d);

    /** Implements {@link Model#setCallDest}. */
    public abstract void setCallDest(Instruction insn, Symbol s);

    /** Implements {@link Model#addAlt}. */
    public abstract void addAlt(Instruction insn, Instruction alt, boolean skipOrig);

    /** Implements {@link Model#setAltGroup}. */
    public abstract void setAltGroup(Instruction insn, AltGroup g);

    /** Implements {@link Model#setCfi}. */
    public abstract void setCfi(Instruction insn, Cfi c);

    /** Implements {@link Model#cfi}. */
    public abstract Cfi cfi(Instruction insn);

    /** Implements {@link Model#setWarned}. */
    public abstract void setWarned(Func f);

    /** Implements {@link Model#setIgnore}. */
    public abstract void setIgnore(Func f);

    /** Implements {@link Model#setUaccessSafe}. */
    public abstract void setUaccessSafe(Func f);

    /** Implements {@link Model#setPfunc}. */
    public abstract void setPfunc(Func f, Func p);

    /** Implements {@link Model#setCfunc}. */
    public abstract void setCfunc(Func f, Func c);

    /** Implements {@link Model#setLen}. */
    public abstract void setLen(Func f, long len);

    /** Implements {@link Model#setAlias}. */
    public abstract void setAlias(Func f, Func a);

    /** Implements {@link Model#setStaticCallTramp}. */
    public abstract void setStaticCallTramp(Func f);

    /** Implements {@link Model#newAltGroup}. */
    public abstract AltGroup newAltGroup();

    /** Implements {@link Model#initAltGroup}. */
    public abstract void initAltGroup(AltGroup g, AltGroup orig, Instruction first, Instruction last, Instruction nop, Cfi[] cfi);

    /** Implements {@link Model#altCfi}. */
    public abstract Cfi[] altCfi(AltGroup g);

    /** Implements {@link Model#newInsnState}. */
    public abstract InsnState newInsnState(ObjtoolFile file);

    /** Implements {@link Model#copy}. */
    public abstract InsnState copy(InsnState s);

    /** Implements {@link Model#copyInto}. */
    public abstract InsnState copyInto(InsnState from, InsnState to);

    /** Implements {@link Model#cfi}. */
    public abstract Cfi cfi(InsnState s);

    /** Implements {@link Model#beginInstructions}. */
    public abstract void beginInstructions(ObjtoolFile file, Section sec, int capacity);

    /** Implements {@link Model#addInstruction}. */
    public abstract int addInstruction(ObjtoolFile file, int offset, int len, InsnType type, long immediate, int flags,
        int[] ops, int from, int count);

    /** Implements {@link Model#endInstructions}. */
    public abstract void endInstructions(ObjtoolFile file);

    /** Implements {@link Model#setStackOps}. */
    public abstract void setStackOps(ObjtoolFile file, Instruction insn, int[] ops, int from, int count);

    /** Implements {@link Model#setCompat}. */
    public abstract void setCompat(ObjtoolFile file, Compat c);

    /** Implements {@link Model#markChanged}. */
    public abstract void markChanged(ObjtoolFile file);

    /** Implements {@link Model#attach}. */
    public abstract void attach(ObjtoolFile file, Object key, Object value);

    /** Implements {@link Model#attachment}. */
    public abstract <T> T attachment(ObjtoolFile file, Object key);

    /** Implements {@link Model#setIgnoreUnreachables}. */
    public abstract void setIgnoreUnreachables(ObjtoolFile file, boolean v);

  }

  private static Access pending;

  /** Holds the installed access as a constant (initialised on first use, after the install). */
  private static final class A {
    private static final Access A = load();

    private static Access load() {
      try {
        Class.forName(ObjtoolFile.class.getName(), true, Model.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      synchronized (Model.class) {
        if (pending == null) throw new IllegalStateException("objtool model access not installed");
        return pending;
      }
    }
  }

  /**
   * Called once, by {@code io.objtool.api}'s class initialisation.
   *
   * @throws IllegalStateException on a second call
   */
  public static synchronized void install(Access access) {
    if (pending != null) throw new IllegalStateException("objtool model access already installed");
    pending = access;
  }

  /**
   * A pseudo-instruction at {@code offset} of {@code sec} that is in no section's list (the NOP
   * padding a short alternative replacement): {@code findInsn} and the iterations never return
   * it, and the instructions before and after it in its section are none.
   */
  public static Instruction newPseudoInstruction(ObjtoolFile file, Section sec, int offset, int len, InsnType type, long immediate) {
    return A.A.newPseudoInstruction(file, sec, offset, len, type, immediate);
  }

  /** See {@link Access#setType}. */
  public static void setType(Instruction insn, InsnType t) {
    A.A.setType(insn, t);
  }

  /** See {@link Access#setImmediate}. */
  public static void setImmediate(Instruction insn, long imm) {
    A.A.setImmediate(insn, imm);
  }

  /** See {@link Access#set}. */
  public static void set(Instruction insn, int flag) {
    A.A.set(insn, flag);
  }

  /** See {@link Access#clear}. */
  public static void clear(Instruction insn, int flag) {
    A.A.clear(insn, flag);
  }

  /** See {@link Access#setVisited}. */
  public static void setVisited(Instruction insn, int bits) {
    A.A.setVisited(insn, bits);
  }

  /** See {@link Access#setInstr}. */
  public static void setInstr(Instruction insn, int v) {
    A.A.setInstr(insn, v);
  }

  /** See {@link Access#setSym}. */
  public static void setSym(Instruction insn, Func f) {
    A.A.setSym(insn, f);
  }

  /** See {@link Access#setJumpDest}. */
  public static void setJumpDest(Instruction insn, Instruction d) {
    A.A.setJumpDest(insn, d);
  }

  /** See {@link Access#setCallDest}. */
  public static void setCallDest(Instruction insn, Symbol s) {
    A.A.setCallDest(insn, s);
  }

  /** See {@link Access#addAlt}. */
  public static void addAlt(Instruction insn, Instruction alt, boolean skipOrig) {
    A.A.addAlt(insn, alt, skipOrig);
  }

  /** See {@link Access#setAltGroup}. */
  public static void setAltGroup(Instruction insn, AltGroup g) {
    A.A.setAltGroup(insn, g);
  }

  /** See {@link Access#setCfi}. */
  public static void setCfi(Instruction insn, Cfi c) {
    A.A.setCfi(insn, c);
  }

  /** See {@link Access#cfi}. */
  public static Cfi cfi(Instruction insn) {
    return A.A.cfi(insn);
  }

  /** See {@link Access#setWarned}. */
  public static void setWarned(Func f) {
    A.A.setWarned(f);
  }

  /** See {@link Access#setIgnore}. */
  public static void setIgnore(Func f) {
    A.A.setIgnore(f);
  }

  /** See {@link Access#setUaccessSafe}. */
  public static void setUaccessSafe(Func f) {
    A.A.setUaccessSafe(f);
  }

  /** See {@link Access#setPfunc}. */
  public static void setPfunc(Func f, Func p) {
    A.A.setPfunc(f, p);
  }

  /** See {@link Access#setCfunc}. */
  public static void setCfunc(Func f, Func c) {
    A.A.setCfunc(f, c);
  }

  /** See {@link Access#setLen}. */
  public static void setLen(Func f, long len) {
    A.A.setLen(f, len);
  }

  /** See {@link Access#setAlias}. */
  public static void setAlias(Func f, Func a) {
    A.A.setAlias(f, a);
  }

  /** See {@link Access#setStaticCallTramp}. */
  public static void setStaticCallTramp(Func f) {
    A.A.setStaticCallTramp(f);
  }

  /** See {@link Access#newAltGroup}. */
  public static AltGroup newAltGroup() {
    return A.A.newAltGroup();
  }

  /** See {@link Access#initAltGroup}. */
  public static void initAltGroup(AltGroup g, AltGroup orig, Instruction first, Instruction last, Instruction nop, Cfi[] cfi) {
    A.A.initAltGroup(g, orig, first, last, nop, cfi);
  }

  /** See {@link Access#altCfi}. */
  public static Cfi[] altCfi(AltGroup g) {
    return A.A.altCfi(g);
  }

  /** See {@link Access#newInsnState}. */
  public static InsnState newInsnState(ObjtoolFile file) {
    return A.A.newInsnState(file);
  }

  /**
   * A new copy of {@code s}. The engine's visitors are given states it reuses (valid only during
   * a callback); a visitor of the engine's modules that keeps a state copies it with this.
   */
  public static InsnState copy(InsnState s) {
    return A.A.copy(s);
  }

  /**
   * Copies {@code from} into {@code to} and returns {@code to}, allocating nothing; when
   * {@code to} is null or of another shape (slot or register count), returns a new copy of
   * {@code from} instead. For the engine's reused states.
   */
  public static InsnState copyInto(InsnState from, InsnState to) {
    return A.A.copyInto(from, to);
  }

  /** See {@link Access#cfi}. */
  public static Cfi cfi(InsnState s) {
    return A.A.cfi(s);
  }

  /**
   * Starts the instructions of {@code sec} (a section decoded once): the decode appends them in
   * offset order with {@link #addInstruction} straight into the section's columns, sized for
   * {@code capacity} (they grow past it), then ends them with {@link #endInstructions}. One
   * section at a time.
   */
  public static void beginInstructions(ObjtoolFile file, Section sec, int capacity) {
    A.A.beginInstructions(file, sec, capacity);
  }

  /**
   * Appends an instruction to the section begun with {@link #beginInstructions}: its offset,
   * length, type, immediate, {@code Instruction} flags and stack operations ({@code ops[from..]},
   * 6 ints each as in {@link #setStackOps}); returns its index in the section.
   */
  public static int addInstruction(ObjtoolFile file, int offset, int len, InsnType type, long immediate, int flags,
      int[] ops, int from, int count) {
    return A.A.addInstruction(file, offset, len, type, immediate, flags, ops, from, count);
  }

  /** Ends the section begun with {@link #beginInstructions}: its instructions are now the section's. */
  public static void endInstructions(ObjtoolFile file) {
    A.A.endInstructions(file);
  }

  /** See {@link Access#setStackOps}. */
  public static void setStackOps(ObjtoolFile file, Instruction insn, int[] ops, int from, int count) {
    A.A.setStackOps(file, insn, ops, from, count);
  }

  /** See {@link Access#setCompat}. */
  public static void setCompat(ObjtoolFile file, Compat c) {
    A.A.setCompat(file, c);
  }

  /** See {@link Access#markChanged}. */
  public static void markChanged(ObjtoolFile file) {
    A.A.markChanged(file);
  }

  /** See {@link Access#attach}. */
  public static void attach(ObjtoolFile file, Object key, Object value) {
    A.A.attach(file, key, value);
  }

  /** The attachment key of {@link #stopCheck}. */
  private static final Object STOPPED = new Object();

  /**
   * Marks that a step of the check failed and ended it early, as the reference's check ends on
   * a fatal problem: what comes after the last step (the disassembly {@code --verbose} prints)
   * does not run.
   */
  public static void stopCheck(ObjtoolFile file) {
    attach(file, STOPPED, Boolean.TRUE);
  }

  /** Whether {@link #stopCheck} was called for {@code file}. */
  public static boolean checkStopped(ObjtoolFile file) {
    return attachment(file, STOPPED) != null;
  }

  /** See {@link Access#attachment}. */
  public static <T> T attachment(ObjtoolFile file, Object key) {
    return A.A.attachment(file, key);
  }

  /** See {@link Access#setIgnoreUnreachables}. */
  public static void setIgnoreUnreachables(ObjtoolFile file, boolean v) {
    A.A.setIgnoreUnreachables(file, v);
  }

}
