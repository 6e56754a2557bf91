package io.objtool.api;

import io.objtool.api.arch.InsnType;
import io.objtool.api.internal.Cfi;
import io.objtool.api.internal.Model;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/** The implementation of {@link Model.Access}, with the package's field access. */
final class ModelAccess extends Model.Access {
  @Override
  public Instruction newPseudoInstruction(ObjtoolFile file, Section sec, int offset, int len, InsnType type, long immediate) {
    return file.newPseudoInstruction(sec, offset, len, type.ordinal(), immediate);
  }

  @Override
  public void setType(Instruction insn, InsnType t) {
    insn.t.setType(insn.i, t.ordinal());
  }

  @Override
  public void setImmediate(Instruction insn, long imm) {
    insn.t.setImmediate(insn.i, imm);
  }

  @Override
  public void set(Instruction insn, int flag) {
    insn.t.flags[insn.i] |= (short) (flag & ~InsnTable.HAS_RARE);
  }

  @Override
  public void clear(Instruction insn, int flag) {
    insn.t.flags[insn.i] &= (short) ~(flag & ~InsnTable.HAS_RARE);
  }

  @Override
  public void setVisited(Instruction insn, int bits) {
    insn.t.setVisited(insn.i, bits);
  }

  @Override
  public void setInstr(Instruction insn, int v) {
    InsnTable.Rare r = v != 0 ? insn.t.rareForWrite(insn.i) : insn.t.rare(insn.i);
    if (r != null) r.instr = (byte) v;
  }

  @Override
  public void setSym(Instruction insn, Func f) {
    insn.t.sym[insn.i] = f;
  }

  @Override
  public void setJumpDest(Instruction insn, Instruction d) {
    insn.t.setDests(insn.i, d, insn.callDest());
  }

  @Override
  public void setCallDest(Instruction insn, Symbol s) {
    insn.t.setDests(insn.i, insn.jumpDest(), s);
  }

  @Override
  public void addAlt(Instruction insn, Instruction alt, boolean skipOrig) {
    InsnTable.Rare r = insn.t.rareForWrite(insn.i);
    r.alts = new Alternative(alt, skipOrig, r.alts);
  }

  @Override
  public void setAltGroup(Instruction insn, AltGroup g) {
    InsnTable.Rare r = g != null ? insn.t.rareForWrite(insn.i) : insn.t.rare(insn.i);
    if (r != null) r.altGroup = g;
  }

  @Override
  public void setCfi(Instruction insn, Cfi c) {
    insn.t.cfi[insn.i] = c;
  }

  @Override
  public Cfi cfi(Instruction insn) {
    return insn.t.cfi[insn.i];
  }

  @Override
  public void setWarned(Func f) {
    f.warned = true;
  }

  @Override
  public void setIgnore(Func f) {
    f.ignore = true;
  }

  @Override
  public void setUaccessSafe(Func f) {
    f.uaccessSafe = true;
  }

  @Override
  public void setPfunc(Func f, Func p) {
    f.pfunc = p;
  }

  @Override
  public void setCfunc(Func f, Func c) {
    f.cfunc = c;
  }

  @Override
  public void setLen(Func f, long len) {
    f.len = len;
  }

  @Override
  public void setAlias(Func f, Func a) {
    f.alias = a;
  }

  @Override
  public void setStaticCallTramp(Func f) {
    f.staticCallTramp = true;
  }

  @Override
  public AltGroup newAltGroup() {
    return new AltGroup();
  }

  @Override
  public void initAltGroup(AltGroup g, AltGroup orig, Instruction first, Instruction last, Instruction nop, Cfi[] cfi) {
    g.origGroup = orig;
    g.firstInsn = first;
    g.lastInsn = last;
    g.nop = nop;
    g.cfi = cfi;
  }

  @Override
  public Cfi[] altCfi(AltGroup g) {
    return g.cfi;
  }

  @Override
  public InsnState newInsnState(ObjtoolFile file) {
    return new InsnState(file.slotCount(), file.arch().cfiRegCount());
  }

  @Override
  public InsnState copy(InsnState s) {
    return new InsnState(s);
  }

  @Override
  public InsnState copyInto(InsnState from, InsnState to) {
    if (to == null || !to.sameShape(from)) return new InsnState(from);
    to.copyFrom(from);
    return to;
  }

  @Override
  public Cfi cfi(InsnState s) {
    return s.cfi;
  }

  @Override
  public void beginInstructions(ObjtoolFile file, Section sec, int capacity) {
    file.beginInstructions(sec, capacity);
  }

  @Override
  public int addInstruction(ObjtoolFile file, int offset, int len, InsnType type, long immediate, int flags,
      int[] ops, int from, int count) {
    return file.addInstruction(offset, len, type.ordinal(), immediate, flags & ~InsnTable.HAS_RARE, ops, from, count);
  }

  @Override
  public void endInstructions(ObjtoolFile file) {
    file.endInstructions();
  }

  @Override
  public void setStackOps(ObjtoolFile file, Instruction insn, int[] ops, int from, int count) {
    file.setStackOps(insn, ops, from, count);
  }

  @Override
  public void setCompat(ObjtoolFile file, Compat c) {
    file.compat = c;
  }

  @Override
  public void markChanged(ObjtoolFile file) {
    file.changed = true;
  }

  @Override
  public void attach(ObjtoolFile file, Object key, Object value) {
    file.attachments.put(key, value);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T attachment(ObjtoolFile file, Object key) {
    return (T) file.attachments.get(key);
  }

  @Override
  public void setIgnoreUnreachables(ObjtoolFile file, boolean v) {
    file.ignoreUnreachables = v;
  }

}
