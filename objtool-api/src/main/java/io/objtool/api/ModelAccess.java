package io.objtool.api;

import io.objtool.api.arch.InsnType;
import io.objtool.api.internal.Cfi;
import io.objtool.api.internal.Model;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.List;

/** The implementation of {@link Model.Access}, with the package's field access. */
final class ModelAccess extends Model.Access {
  @Override
  public Instruction newInstruction(Section sec, int offset, int len, InsnType type, long immediate) {
    return new Instruction(sec, offset, len, type, immediate);
  }

  @Override
  public void setType(Instruction insn, InsnType t) {
    insn.setType(t);
  }

  @Override
  public void setImmediate(Instruction insn, long imm) {
    insn.setImmediate(imm);
  }

  @Override
  public void set(Instruction insn, int flag) {
    insn.flags |= (short) flag;
  }

  @Override
  public void clear(Instruction insn, int flag) {
    insn.flags &= (short) ~flag;
  }

  @Override
  public void setVisited(Instruction insn, int bits) {
    insn.setVisited(bits);
  }

  @Override
  public void setInstr(Instruction insn, int v) {
    if (v != 0 || insn.rare != null) insn.rare().instr = (byte) v;
  }

  @Override
  public void setSym(Instruction insn, Func f) {
    insn.sym = f;
  }

  @Override
  public void setJumpDest(Instruction insn, Instruction d) {
    insn.setJumpDest(d);
  }

  @Override
  public void setCallDest(Instruction insn, Symbol s) {
    insn.setCallDest(s);
  }

  @Override
  public void addAlt(Instruction insn, Instruction alt, boolean skipOrig) {
    insn.rare().alts = new Alternative(alt, skipOrig, insn.alts());
  }

  @Override
  public void setAltGroup(Instruction insn, AltGroup g) {
    if (g != null || insn.rare != null) insn.rare().altGroup = g;
  }

  @Override
  public void setCfi(Instruction insn, Cfi c) {
    insn.cfi = c;
  }

  @Override
  public Cfi cfi(Instruction insn) {
    return insn.cfi;
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
  public void setInstructions(ObjtoolFile file, Section sec, List<Instruction> list) {
    file.setInstructions(sec, list);
  }

  @Override
  public void setInstructions(ObjtoolFile file, Section sec, Instruction[] insns, int n) {
    file.setInstructions(sec, insns, n);
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
