package io.objtool.check.cfg;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.objtool.api.internal.Cfi;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.UnwindHint;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * The kernel's source annotations, read from the {@code .discard.*} sections (a kernel link or a
 * module link drops them, objtool reads them from the object): functions with non-standard stack
 * frames (ignored), unwind hints, retpoline-safe sites, instrumentation begin/end, intra-function
 * calls, ENDBRs that need none, alternatives to ignore, and reachable code after a dead end.
 */
public final class Annotations {
  /** Rule {@code bad-annotation-entry}: An annotation section entry points to no instruction. */
  public static final Rule BAD_ANNOTATION_ENTRY = Rule.error("bad-annotation-entry", "An annotation section entry points to no instruction.");
  /** Rule {@code intra-function-call-not-direct}: `ANNOTATE_INTRA_FUNCTION_CALL` on something other than a direct call. */
  public static final Rule INTRA_FUNCTION_CALL_NOT_DIRECT = Rule.error("intra-function-call-not-direct", "`ANNOTATE_INTRA_FUNCTION_CALL` on something other than a direct call.");
  /** Rule {@code intra-function-call-dest-not-found}: An annotated intra-function call whose target is not an instruction. */
  public static final Rule INTRA_FUNCTION_CALL_DEST_NOT_FOUND = Rule.error("intra-function-call-dest-not-found", "An annotated intra-function call whose target is not an instruction.");
  /** Rule {@code retpoline-safe-misplaced}: `ANNOTATE_RETPOLINE_SAFE` on an instruction that is not an indirect branch, return or NOP. */
  public static final Rule RETPOLINE_SAFE_MISPLACED = Rule.error("retpoline-safe-misplaced", "`ANNOTATE_RETPOLINE_SAFE` on an instruction that is not an indirect branch, return or NOP.");
  /** Rule {@code reachable-annotation-not-found}: `ANNOTATE_REACHABLE` that points to no instruction. */
  public static final Rule REACHABLE_ANNOTATION_NOT_FOUND = Rule.error("reachable-annotation-not-found", "`ANNOTATE_REACHABLE` that points to no instruction.");
  /** Rule {@code unwind-hints-without-relocations}: `.discard.unwind_hints` has no relocation section. */
  public static final Rule UNWIND_HINTS_WITHOUT_RELOCATIONS = Rule.error("unwind-hints-without-relocations", "`.discard.unwind_hints` has no relocation section.");
  /** Rule {@code unwind-hint-size-mismatch}: `.discard.unwind_hints` is not a whole number of hints. */
  public static final Rule UNWIND_HINT_SIZE_MISMATCH = Rule.error("unwind-hint-size-mismatch", "`.discard.unwind_hints` is not a whole number of hints.");
  /** Rule {@code unwind-hint-without-relocation}: One unwind hint has no relocation. */
  public static final Rule UNWIND_HINT_WITHOUT_RELOCATION = Rule.error("unwind-hint-without-relocation", "One unwind hint has no relocation.");
  /** Rule {@code unexpected-relocation-symbol-type}: An annotation or unwind-hint relocation against a symbol other than a section symbol (a function, a global label, a data object). */
  public static final Rule UNEXPECTED_RELOCATION_SYMBOL_TYPE = Rule.error("unexpected-relocation-symbol-type", "An annotation or unwind-hint relocation against a symbol other than a section symbol (a function, a global label, a data object).");
  /** Rule {@code ignore-unexpected-symbol-type}: A `STACK_FRAME_NON_STANDARD` entry against a symbol that is neither a function nor a section symbol; the entry is skipped. */
  public static final Rule IGNORE_UNEXPECTED_SYMBOL_TYPE = Rule.warning("ignore-unexpected-symbol-type", "A `STACK_FRAME_NON_STANDARD` entry against a symbol that is neither a function nor a section symbol; the entry is skipped.");
  /** Rule {@code unwind-hint-not-instruction}: An unwind hint points to no instruction. */
  public static final Rule UNWIND_HINT_NOT_INSTRUCTION = Rule.error("unwind-hint-not-instruction", "An unwind hint points to no instruction.");
  /** Rule {@code iret-regs-hint-without-endbr}: An `UNWIND_HINT_IRET_REGS` entry point without ENDBR (`--ibt`). */
  public static final Rule IRET_REGS_HINT_WITHOUT_ENDBR = Rule.warning("iret-regs-hint-without-endbr", "An `UNWIND_HINT_IRET_REGS` entry point without ENDBR (`--ibt`).");
  /** Rule {@code unsupported-unwind-hint-sp-reg}: An unwind hint names a base register objtool does not support. */
  public static final Rule UNSUPPORTED_UNWIND_HINT_SP_REG = Rule.error("unsupported-unwind-hint-sp-reg", "An unwind hint names a base register objtool does not support.");

  /** Size of {@code struct unwind_hint}: u32 ip, s16 sp_offset, u8 sp_reg, u8 type, u8 signal, padded. */
  static final int UNWIND_HINT_SIZE = 12;

  private final ObjtoolFile file;

  private Annotations(ObjtoolFile file) {
    this.file = file;
  }

  /** The state the hints of type FUNC set: the architecture's initial function CFI. */
  public static Cfi funcCfi(ObjtoolFile file) {
    Cfi c = new Cfi(file.arch().cfiRegCount());
    var init = file.arch().initialFunctionCfi();
    c.cfaBase = init.cfa().base();
    c.cfaOffset = init.cfa().offset();
    for (int r = 0; r < c.regBase.length; r++) c.setReg(r, init.reg(r).base(), init.reg(r).offset());
    c.stackSize = init.cfa().offset();
    c.type = UnwindHint.TYPE_CALL;
    return c;
  }

  /** Calls {@code each} with the target (section, offset) of every relocation of {@code .rela<name>}. */
  private void forEachTarget(String name, String what, TargetConsumer each) {
    forEachTarget(name, what, true, each);
  }

  /**
   * As {@link #forEachTarget(String, String, TargetConsumer)}; with {@code sectionSymbolsOnly} a
   * relocation against any symbol other than a section symbol (a function, a global label, a data
   * object) stops the check with {@link #UNEXPECTED_RELOCATION_SYMBOL_TYPE}, as objtool does for
   * the instruction annotations ({@code .discard.noendbr} accepts any symbol that reaches code).
   */
  private void forEachTarget(String name, String what, boolean sectionSymbolsOnly, TargetConsumer each) {
    Section sec = file.elf().section(name);
    if (sec == null || sec.relocations() == null) return;
    Relocations r = sec.relocations();
    for (int i = 0; i < r.count(); i++) {
      Symbol s = r.symbol(i);
      if (sectionSymbolsOnly && !s.isSectionSymbol()) {
        file.diag().warn(UNEXPECTED_RELOCATION_SYMBOL_TYPE, "unexpected relocation symbol type in " + sec.rela().name());
        throw new CfgException();
      }
      long off = s.value() + r.addend(i);
      Instruction insn = s.section() == null ? null : file.insns().findInsn(s.section(), off);
      each.accept(s, off, insn, what);
    }
  }

  @FunctionalInterface
  private interface TargetConsumer {
    void accept(Symbol sym, long offset, Instruction insn, String what);
  }

  private void bad(String what) {
    file.diag().warn(BAD_ANNOTATION_ENTRY, "bad " + what + " entry");
    throw new CfgException();
  }

  /** {@code STACK_FRAME_NON_STANDARD}: whole functions are not validated. */
  public static void ignores(ObjtoolFile file) {
    new Annotations(file).forEachTarget(".discard.func_stack_frame_non_standard", "", false, (s, off, insn, w) -> {
      Func f = null;
      if (s.type() == Elf.STT_FUNC) {
        f = file.func(s);
      } else if (s.isSectionSymbol()) {
        Symbol fs = file.elf().sectionOf(s).symbols().functionAt(off);
        if (fs != null) f = file.func(fs);
      } else {
        file.diag().warn(IGNORE_UNEXPECTED_SYMBOL_TYPE, "unexpected relocation symbol type in "
            + file.elf().section(".discard.func_stack_frame_non_standard").rela().name() + ": " + s.type());
        return;
      }
      if (f == null) return;
      Model.setIgnore(f);
      for (Instruction i : file.insns().funcInsns(f)) Model.set(i, Instruction.IGNORE);
    });
  }

  /** Reads every per-instruction annotation before the destinations are resolved. */
  public static void beforeDestinations(ObjtoolFile file) {
    Annotations a = new Annotations(file);
    a.flag(".discard.ignore_alts", "bad .discard.ignore_alts", true, i -> Model.set(i, Instruction.IGNORE_ALTS));
    a.flag(".discard.noendbr", "bad .discard.noendbr", false, i -> Model.set(i, Instruction.NOENDBR));
  }

  /** Intra-function calls: such a call is a jump to its target that pushes a return address. */
  public static void intraFunctionCalls(ObjtoolFile file) {
    Annotations a = new Annotations(file);
    a.forEachTarget(".discard.intra_function_calls", "", (s, off, insn, w) -> {
      if (insn == null) {
        file.diag().warn(BAD_ANNOTATION_ENTRY, "bad .discard.intra_function_call entry");
        throw new CfgException();
      }
      if (insn.type() != InsnType.CALL) {
        file.diag().warnInsn(insn, INTRA_FUNCTION_CALL_NOT_DIRECT, "intra_function_call not a direct call");
        throw new CfgException();
      }
      Model.setType(insn, InsnType.JUMP_UNCONDITIONAL);
      // it still pushes its return address: a push of a constant
      Model.setStackOps(file, insn, new int[] {io.objtool.api.arch.OpDestType.PUSH.ordinal(), 0, 0,
          io.objtool.api.arch.OpSrcType.CONST.ordinal(), 0, 0}, 0, 1);
      long dest = insn.offset() + insn.length() + insn.immediate();
      Instruction d = file.insns().findInsn(insn.section(), dest);
      if (d == null) {
        file.diag().warnInsn(insn, INTRA_FUNCTION_CALL_DEST_NOT_FOUND, "can't find call dest at " + insn.section().name() + "+0x" + Long.toHexString(dest));
        throw new CfgException();
      }
      Model.setJumpDest(insn, d);
    });
  }

  /** Annotations read after the CFG: unwind hints, retpoline-safe, instrumentation regions, reachable. */
  public static void afterDestinations(ObjtoolFile file) {
    Annotations a = new Annotations(file);
    a.unwindHints();
    a.forEachTarget(".discard.retpoline_safe", "", (s, off, insn, w) -> {
      if (insn == null) a.bad(".discard.retpoline_safe");
      InsnType t = insn.type();
      if (t != InsnType.JUMP_DYNAMIC && t != InsnType.CALL_DYNAMIC && t != InsnType.RETURN && t != InsnType.NOP) {
        file.diag().warnInsn(insn, RETPOLINE_SAFE_MISPLACED, "retpoline_safe hint not an indirect jump/call/ret/nop");
        throw new CfgException();
      }
      Model.set(insn, Instruction.RETPOLINE_SAFE);
    });
    // instrumentation regions are read only when the object has instr_end annotations
    Section instrEnd = file.elf().section(".discard.instr_end");
    if (instrEnd != null && instrEnd.rela() != null) a.instrHints();
    a.reachable();
  }

  private void instrHints() {
    Annotations a = this;
    forEachTarget(".discard.instr_end", "", (s, off, insn, w) -> {
      if (insn == null) a.bad(".discard.instr_end");
      Model.setInstr(insn, insn.instr() - 1);
    });
    forEachTarget(".discard.instr_begin", "", (s, off, insn, w) -> {
      if (insn == null) a.bad(".discard.instr_begin");
      Model.setInstr(insn, insn.instr() + 1);
    });
  }

  private void reachable() {
    Annotations a = this;
    a.forEachTarget(".discard.reachable", "", (s, off, insn, w) -> {
      Instruction dead;
      if (insn != null) {
        dead = file.insns().prevInsnSameSec(insn);
      } else if (s.section() != null && off == s.section().size()) {
        dead = file.insns().findLastInsn(s.section());
      } else {
        dead = null;
      }
      if (dead == null && (insn == null)) {
        file.diag().warn(REACHABLE_ANNOTATION_NOT_FOUND, "can't find reachable insn at " + (s.section() == null ? "?" : s.section().name()) + "+0x" + Long.toHexString(off));
        throw new CfgException();
      }
      if (dead != null) Model.clear(dead, Instruction.DEAD_END);
    });
  }

  private void flag(String name, String what, boolean sectionSymbolsOnly, Consumer<Instruction> f) {
    forEachTarget(name, what, sectionSymbolsOnly, (s, off, insn, w) -> {
      if (insn == null) {
        file.diag().warn(BAD_ANNOTATION_ENTRY, what + " entry");
        throw new CfgException();
      }
      f.accept(insn);
    });
  }

  private static int hintReg(int orcReg) {
    return switch (orcReg) {
      case 0 -> CfiRegs.UNDEFINED;
      case 5 -> CfiRegs.SP;
      case 4 -> CfiRegs.BP;
      case 9 -> CfiRegs.SP_INDIRECT;
      case 6 -> CfiRegs.R10;
      case 7 -> CfiRegs.R13;
      case 3 -> CfiRegs.RDI;
      case 2 -> CfiRegs.RDX;
      default -> Integer.MIN_VALUE;
    };
  }

  /** {@code UNWIND_HINT*}: the CFI at an instruction given by the source, and the walks from them. */
  private void unwindHints() {
    Section sec = file.elf().section(".discard.unwind_hints");
    if (sec == null) return;
    if (sec.rela() == null) {
      file.diag().warn(UNWIND_HINTS_WITHOUT_RELOCATIONS, "missing .rela.discard.unwind_hints section");
      throw new CfgException();
    }
    if (sec.size() % UNWIND_HINT_SIZE != 0) {
      file.diag().warn(UNWIND_HINT_SIZE_MISMATCH, "struct unwind_hint size mismatch");
      throw new CfgException();
    }
    java.util.List<Instruction> hinted = new java.util.ArrayList<>();
    Model.attach(file, Annotations.class, hinted);
    MemorySegment d = SectionContents.of(file.elf(), sec);
    Relocations r = sec.relocations();
    Cfi cfi = new Cfi(file.arch().cfiRegCount());
    Cfi undefined = new Cfi(file.arch().cfiRegCount());
    undefined.forceUndefined = true;
    Cfi func = funcCfi(file);
    int n = (int) (sec.size() / UNWIND_HINT_SIZE);
    for (int i = 0; i < n; i++) {
      long base = (long) i * UNWIND_HINT_SIZE;
      int ri = r.at(base);
      if (ri < 0) {
        file.diag().warn(UNWIND_HINT_WITHOUT_RELOCATION, "can't find reloc for unwind_hints[" + i + "]");
        throw new CfgException();
      }
      Symbol s = r.symbol(ri);
      long off;
      if (s.isSectionSymbol()) {
        off = r.addend(ri);
      } else if (s.type() == Elf.STT_NOTYPE && s.name().startsWith(".L")) {
        off = s.value();
      } else {
        file.diag().warn(UNEXPECTED_RELOCATION_SYMBOL_TYPE, "unexpected relocation symbol type in " + sec.rela().name());
        throw new CfgException();
      }
      Instruction insn = s.section() == null ? null : file.insns().findInsn(s.section(), off);
      if (insn == null) {
        file.diag().warn(UNWIND_HINT_NOT_INSTRUCTION, "can't find insn for unwind_hints[" + i + "]");
        throw new CfgException();
      }
      int spOffset = d.get(JAVA_SHORT_UNALIGNED, base + 4);
      int spReg = d.get(JAVA_BYTE, base + 6) & 0xff;
      int type = d.get(JAVA_BYTE, base + 7) & 0xff;
      int signal = d.get(JAVA_BYTE, base + 8) & 0xff;
      Model.set(insn, Instruction.HINT);
      hinted.add(insn);
      switch (type) {
        case UnwindHint.TYPE_UNDEFINED -> {
          Model.setCfi(insn, undefined);
          continue;
        }
        case UnwindHint.TYPE_SAVE -> {
          Model.clear(insn, Instruction.HINT);
          Model.set(insn, Instruction.SAVE);
          continue;
        }
        case UnwindHint.TYPE_RESTORE -> {
          Model.set(insn, Instruction.RESTORE);
          continue;
        }
        case UnwindHint.TYPE_FUNC -> {
          Model.setCfi(insn, func);
          continue;
        }
        case UnwindHint.TYPE_REGS_PARTIAL -> {
          // the symbol covering the instruction, as objtool finds it: one of size 0 covers nothing
          Symbol at = insn.section().symbols().containing(insn.offset());
          if (at != null && at.value() == insn.offset() && at.bind() == Elf.STB_GLOBAL && file.options().ibt()
              && insn.type() != InsnType.ENDBR && !insn.has(Instruction.NOENDBR)) {
            file.diag().warnInsn(insn, IRET_REGS_HINT_WITHOUT_ENDBR, "UNWIND_HINT_IRET_REGS without ENDBR");
          }
        }
        default -> { }
      }
      if (Model.cfi(insn) != null) cfi = new Cfi(Model.cfi(insn));
      int reg = hintReg(spReg);
      if (reg == Integer.MIN_VALUE) {
        file.diag().warnInsn(insn, UNSUPPORTED_UNWIND_HINT_SP_REG, "unsupported unwind_hint sp base reg " + spReg);
        throw new CfgException();
      }
      cfi.cfaBase = reg;
      cfi.cfaOffset = spOffset;
      cfi.type = type;
      cfi.signal = signal != 0;
      Model.setCfi(insn, io.objtool.check.Stats.of(file).findOrAdd(cfi));
    }
  }

  /** Whether the object had unwind hints (so the engine walks from them too). */
  public static boolean hasHints(ObjtoolFile file) {
    return Model.attachment(file, Annotations.class) != null;
  }

  /** The instructions an unwind hint names, in the order of all instructions (section, offset). */
  public static java.util.List<Instruction> hinted(ObjtoolFile file) {
    java.util.List<Instruction> h = Model.attachment(file, Annotations.class);
    if (h == null) return java.util.List.of();
    java.util.List<Instruction> sorted = new java.util.ArrayList<>(new java.util.LinkedHashSet<>(h));
    sorted.sort(java.util.Comparator.comparingInt((Instruction i) -> i.section().index()).thenComparingLong(Instruction::offset));
    return sorted;
  }
}
