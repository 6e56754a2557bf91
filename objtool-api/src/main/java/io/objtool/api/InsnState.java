package io.objtool.api;

/**
 * The state carried along one code path: the CFI, the user-access (SMAP) state and its PUSHF
 * stack, the direction flag, and the noinstr instrumentation depth.
 */
public final class InsnState {
  public final CfiState cfi;
  /** True between STAC and CLAC. */
  public boolean uaccess;
  /** A bit stack of uaccess states saved by PUSHF (lowest bit on top, a leading 1 as sentinel). */
  public int uaccessStack;
  /** Direction flag set (STD without CLD). */
  public boolean df;
  /** Validating a noinstr section. */
  public boolean noinstr;
  /** Instrumentation depth: positive inside instrumentation_begin/end. */
  public int instr;

  public InsnState() {
    this.cfi = new CfiState();
  }

  public InsnState(InsnState o) {
    this.cfi = new CfiState(o.cfi);
    this.uaccess = o.uaccess;
    this.uaccessStack = o.uaccessStack;
    this.df = o.df;
    this.noinstr = o.noinstr;
    this.instr = o.instr;
  }
}
