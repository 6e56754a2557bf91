package io.objtool.check.engine;

import static io.objtool.api.arch.CfiRegs.BP_INDIRECT;
import static io.objtool.api.arch.CfiRegs.CFA;
import static io.objtool.api.arch.CfiRegs.SP_INDIRECT;
import static io.objtool.api.arch.CfiRegs.UNDEFINED;

import io.objtool.api.BranchVisitor.StackOpProblem;
import io.objtool.api.internal.Cfi;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.UnwindHint;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.InitialCfi;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;

/**
 * Applies one stack operation to a {@link Cfi}: the CFA moves with pushes, pops and stack
 * pointer arithmetic, the frame pointer takes over as CFA base, callee-saved registers are
 * recorded where they are saved, and the DRAP (dynamic realignment) forms gcc emits are followed.
 * An operation the model cannot follow comes back to the engine as a {@link StackOpProblem}, which
 * it reports to the visitors (the rules are {@link io.objtool.check.passes.StackValidationPass}'s).
 */
final class CfiUpdate {

  private final ObjtoolFile file;
  private final Arch arch;
  private final InitialCfi initial;
  private final boolean stackval;
  /** The architecture's stack pointer and frame pointer (CFI register numbers). */
  private final int sp;
  private final int fp;
  /** Whether {@code reg = sp + off} can start a DRAP realignment (x86-64), see {@link Arch#usesDrap()}. */
  private final boolean drapArch;
  /**
   * The return address stays in a link register (arm64, {@code callPushSize() == 0}): a frame is
   * a frame record the function stores, and x29 given any other value is a scratch register.
   */
  private final boolean linkReg;

  CfiUpdate(ObjtoolFile file) {
    this.file = file;
    this.arch = file.arch();
    this.initial = arch.initialFunctionCfi();
    this.stackval = file.options().stackval();
    this.sp = arch.stackPointerReg();
    this.fp = arch.framePointerReg();
    this.drapArch = arch.usesDrap();
    this.linkReg = arch.callPushSize() == 0;
  }

  private void saveReg(Cfi cfi, int reg, int base, int offset) {
    if (arch.isCalleeSaved(reg) && cfi.regBase[reg] == UNDEFINED) {
      cfi.regBase[reg] = base;
      cfi.regOffset[reg] = offset;
    }
  }

  private void restoreReg(Cfi cfi, int reg) {
    cfi.regBase[reg] = initial.reg(reg).base();
    cfi.regOffset[reg] = initial.reg(reg).offset();
  }

  private static void restoreVal(Cfi cfi, int reg) {
    cfi.valBase[reg] = UNDEFINED;
    cfi.valOffset[reg] = 0;
  }

  /** Applies operation {@code op} of {@code insn} to {@code cfi}; returns what it could not follow (cfi unchanged), or null. */
  StackOpProblem update(Instruction insn, Instruction next, Cfi cfi, int op) {
    if (cfi.forceUndefined) return null;
    if (cfi.cfaBase == UNDEFINED) return StackOpProblem.UNDEFINED_STATE;
    OpDestType dt = file.opDestType(insn, op);
    OpSrcType st = file.opSrcType(insn, op);
    int dreg = file.opDestReg(insn, op);
    int doff = file.opDestOffset(insn, op);
    int sreg = file.opSrcReg(insn, op);
    int soff = file.opSrcOffset(insn, op);
    if (cfi.type == UnwindHint.TYPE_REGS || cfi.type == UnwindHint.TYPE_REGS_PARTIAL) {
      return updateRegs(cfi, dt, st, dreg, sreg, soff);
    }
    switch (dt) {
      case REG -> {
        switch (st) {
          case REG -> {
            if (sreg == sp && dreg == fp && cfi.cfaBase == sp
                && cfi.regBase[fp] == CFA && cfi.regOffset[fp] == -cfi.cfaOffset) {
              cfi.cfaBase = dreg; // mov %rsp, %rbp
              cfi.bpScratch = false;
            } else if (sreg == sp && dreg == fp && cfi.drap) {
              cfi.regBase[fp] = fp; // drap: mov %rsp, %rbp
              cfi.regOffset[fp] = -cfi.stackSize;
              cfi.bpScratch = false;
            } else if (sreg == sp && cfi.cfaBase == sp) {
              cfi.setVal(dreg, CFA, -cfi.stackSize); // mov %rsp, %reg
              if (linkReg && dreg == fp && insn.func() != null) cfi.bpScratch = true; // arm64: x29 = sp, no frame record there
            } else if (sreg == fp && dreg == sp && (cfi.cfaBase == fp || cfi.cfaBase == cfi.drapReg)) {
              cfi.stackSize = -cfi.regOffset[fp]; // mov %rbp, %rsp
            } else if (dreg == cfi.cfaBase) {
              // mov %reg, %rsp
              if (cfi.cfaBase == sp && cfi.valBase[sreg] == CFA) {
                cfi.cfaOffset = -cfi.valOffset[sreg];
                cfi.stackSize = cfi.cfaOffset;
              } else if (cfi.cfaBase == sp && cfi.valBase[sreg] == SP_INDIRECT && cfi.valOffset[sreg] == cfi.cfaOffset) {
                cfi.cfaBase = SP_INDIRECT; // stack swizzle
              } else {
                cfi.cfaBase = UNDEFINED;
                cfi.cfaOffset = 0;
              }
            } else if (dreg == sp && cfi.valBase[sreg] == SP_INDIRECT && cfi.valOffset[sreg] == cfi.cfaOffset) {
              cfi.stackSize += 8; // swizzle with a CFA base other than SP: pretend a push
            }
            if (linkReg && dreg == fp && sreg != sp && dreg != cfi.cfaBase && insn.func() != null) {
              restoreVal(cfi, fp); // arm64: mov x29, xN
              cfi.bpScratch = true;
            }
          }
          case ADD -> {
            if (dreg == sp && sreg == sp) {
              cfi.stackSize -= soff; // add imm, %rsp
              if (cfi.cfaBase == sp) cfi.cfaOffset -= soff;
            } else if (dreg == sp && sreg == fp) {
              cfi.stackSize = -(soff + cfi.regOffset[fp]); // lea disp(%rbp), %rsp
            } else if (!drapArch && sreg == sp && dreg == fp && cfi.cfaBase == sp
                && cfi.regBase[fp] == CFA && cfi.regOffset[fp] == soff - cfi.cfaOffset) {
              cfi.cfaBase = fp; // add x29, sp, #n: x29 points at the frame record just stored
              cfi.cfaOffset -= soff;
              cfi.bpScratch = false;
            } else if (!drapArch && sreg == sp && cfi.cfaBase == sp) {
              cfi.setVal(dreg, CFA, -cfi.stackSize + soff); // add xN, sp, #n: a copy of sp, no realignment
              if (linkReg && dreg == fp && insn.func() != null) cfi.bpScratch = true;
            } else if (sreg == sp && cfi.cfaBase == sp) {
              cfi.drapReg = dreg; // drap: lea disp(%rsp), %drap
              cfi.setVal(dreg, CFA, -cfi.stackSize + soff);
            } else if (cfi.drap && dreg == sp && sreg == cfi.drapReg) {
              cfi.cfaBase = sp; // drap: lea disp(%drap), %rsp
              cfi.cfaOffset = cfi.stackSize = -soff;
              cfi.drapReg = UNDEFINED;
              cfi.drap = false;
            } else if (dreg == cfi.cfaBase && !(next != null && next.hint())) {
              return StackOpProblem.STACK_REGISTER_MODIFICATION;
            }
          }
          case AND -> {
            if (dreg != sp || (cfi.drapReg != UNDEFINED && cfi.cfaBase != sp)
                || (cfi.drapReg == UNDEFINED && cfi.cfaBase != fp)) {
              return StackOpProblem.REALIGNMENT;
            }
            if (cfi.drapReg != UNDEFINED) {
              cfi.cfaBase = cfi.drapReg; // drap: and imm, %rsp
              cfi.cfaOffset = cfi.stackSize = 0;
              cfi.drap = true;
            }
          }
          case POP, POPF -> {
            if (dreg == sp && cfi.cfaBase == SP_INDIRECT) {
              cfi.cfaBase = sp; // pop %rsp after a stack swizzle
              break;
            }
            if (!cfi.drap && dreg == cfi.cfaBase) cfi.cfaBase = sp; // pop %rbp
            if (cfi.drap && cfi.cfaBase == BP_INDIRECT && dreg == cfi.drapReg && cfi.drapOffset == -cfi.stackSize) {
              cfi.cfaBase = cfi.drapReg; // drap: pop %drap
              cfi.cfaOffset = 0;
              cfi.drapOffset = -1;
            } else if (cfi.stackSize == -cfi.regOffset[dreg]) {
              restoreReg(cfi, dreg); // pop %reg
            }
            cfi.stackSize -= 8;
            if (cfi.cfaBase == sp) cfi.cfaOffset -= 8;
          }
          case REG_INDIRECT -> {
            if (!cfi.drap && dreg == cfi.cfaBase && dreg == fp) {
              cfi.cfaBase = sp; // mov disp(%rsp), %rbp
              cfi.cfaOffset = cfi.stackSize;
            }
            if (cfi.drap && sreg == fp && soff == cfi.drapOffset) {
              cfi.cfaBase = cfi.drapReg; // drap: mov disp(%rbp), %drap
              cfi.cfaOffset = 0;
              cfi.drapOffset = -1;
            }
            if (cfi.drap && sreg == fp && soff == cfi.regOffset[dreg]) {
              restoreReg(cfi, dreg); // drap: mov disp(%rbp), %reg
            } else if (sreg == cfi.cfaBase && soff == cfi.regOffset[dreg] + cfi.cfaOffset) {
              restoreReg(cfi, dreg); // mov disp(%rbp|%rsp), %reg
            } else if (sreg == sp && soff == cfi.regOffset[dreg] + cfi.stackSize) {
              restoreReg(cfi, dreg); // mov disp(%rsp), %reg
            }
          }
          case CONST -> {
            // a value unrelated to the cfa (arm64: a write of sp or x29 the decoder cannot evaluate)
            if (dreg == cfi.cfaBase) return StackOpProblem.STACK_REGISTER_MODIFICATION;
            if (dreg == fp) {
              restoreVal(cfi, fp);
              if (linkReg && insn.func() != null) cfi.bpScratch = true;
            }
          }
          default -> {
            return StackOpProblem.UNKNOWN_INSTRUCTION;
          }
        }
      }
      case PUSH, PUSHF -> {
        cfi.stackSize += 8;
        if (cfi.cfaBase == sp) cfi.cfaOffset += 8;
        if (st != OpSrcType.REG) break;
        if (cfi.drap) {
          if (sreg == cfi.cfaBase && sreg == cfi.drapReg) {
            cfi.cfaBase = BP_INDIRECT; // drap: push %drap
            cfi.cfaOffset = -cfi.stackSize;
            cfi.drapOffset = -cfi.stackSize;
          } else if (sreg == fp && cfi.cfaBase == cfi.drapReg) {
            cfi.stackSize = 0; // drap: push %rbp
          } else {
            saveReg(cfi, sreg, fp, -cfi.stackSize); // drap: push %reg
          }
        } else {
          saveReg(cfi, sreg, CFA, -cfi.stackSize); // push %reg
        }
        if (stackval && insn.func() != null && sreg == fp && cfi.cfaBase != fp) cfi.bpScratch = true;
      }
      case REG_INDIRECT -> {
        if (cfi.drap) {
          if (sreg == cfi.cfaBase && sreg == cfi.drapReg) {
            cfi.cfaBase = BP_INDIRECT; // drap: mov %drap, disp(%rbp)
            cfi.cfaOffset = doff;
            cfi.drapOffset = doff;
          } else {
            saveReg(cfi, sreg, fp, doff); // drap: mov reg, disp(%rbp)
          }
        } else if (dreg == cfi.cfaBase) {
          saveReg(cfi, sreg, CFA, doff - cfi.cfaOffset); // mov reg, disp(%rbp|%rsp)
        } else if (dreg == sp) {
          saveReg(cfi, sreg, CFA, doff - cfi.stackSize); // mov reg, disp(%rsp)
        } else if (sreg == sp && doff == 0) {
          cfi.setVal(dreg, SP_INDIRECT, cfi.cfaOffset); // mov %rsp, (%reg): stack swizzle set-up
        }
      }
      case MEM -> {
        if (st != OpSrcType.POP && st != OpSrcType.POPF) return StackOpProblem.UNKNOWN_MEMORY_OPERATION;
        cfi.stackSize -= 8; // pop mem
        if (cfi.cfaBase == sp) cfi.cfaOffset -= 8;
      }
      default -> {
        return StackOpProblem.UNKNOWN_INSTRUCTION;
      }
    }
    return null;
  }

  /** Inside pt_regs-style frames only the sp-based CFA moves. */
  private StackOpProblem updateRegs(Cfi cfi, OpDestType dt, OpSrcType st, int dreg, int sreg, int soff) {
    if (cfi.cfaBase != sp && cfi.cfaBase != SP_INDIRECT) return null;
    if (dt == OpDestType.PUSH || dt == OpDestType.PUSHF) cfi.cfaOffset += 8;
    if (st == OpSrcType.POP || st == OpSrcType.POPF) cfi.cfaOffset -= 8;
    if (dt == OpDestType.REG && st == OpSrcType.ADD && dreg == sp && sreg == sp) cfi.cfaOffset -= soff;
    return null;
  }
}
