package io.objtool.check.passes;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.StateSlot;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * {@code --noinstr}: code in {@code .noinstr.text}, {@code .entry.text}, {@code .cpuidle.text}
 * and {@code .text..__x86.*} must not call instrumentable code outside an
 * {@code instrumentation_begin()}/{@code end()} region, and must not return inside one.
 */
@AutoService(Pass.class)
public final class NoinstrPass implements Pass {
  /** Rule {@code noinstr-pv-ops-target}: A paravirt op called from noinstr code has a target outside noinstr sections. */
  public static final Rule NOINSTR_PV_OPS_TARGET = Rule.warning("noinstr-pv-ops-target", "A paravirt op called from noinstr code has a target outside noinstr sections.");
  /** Rule {@code noinstr-call-leaves-section}: A call from `.noinstr.text` to instrumentable code. */
  public static final Rule NOINSTR_CALL_LEAVES_SECTION = Rule.warning("noinstr-call-leaves-section", "A call from `.noinstr.text` to instrumentable code.");
  /** Rule {@code noinstr-return-with-instrumentation}: A return from noinstr code inside an instrumentation region. */
  public static final Rule NOINSTR_RETURN_WITH_INSTRUMENTATION = Rule.warning("noinstr-return-with-instrumentation", "A return from noinstr code inside an instrumentation region.");

  @Override
  public String option() {
    return "noinstr";
  }

  @Override
  public String help() {
    return "validate noinstr rules";
  }

  @Override
  public boolean enabled(Options options) {
    return options.noinstr();
  }

  @Override
  public int order() {
    return 5;
  }

  /** Sections whose code must not call instrumentable code. */
  public static boolean isNoinstrSection(Section sec) {
    String n = sec.name();
    return n.equals(".noinstr.text") || n.equals(".entry.text") || n.equals(".cpuidle.text") || n.startsWith(".text..__x86.");
  }

  static boolean noinstrCallDest(Symbol dest) {
    if (dest == null) return false; // indirect calls are assumed instrumented
    if (dest.section() != null && isNoinstrSection(dest.section())) return true;
    if (dest.bind() == io.objtool.elf.Elf.STB_GLOBAL && dest.name().startsWith("__SCT__")) return true;
    return dest.name().startsWith("__ubsan_handle_");
  }

  /** The paravirt tables whose entries' targets calls through {@code pv_ops} can reach. */
  private static final String[] PV_OPS_TABLES = {"pv_ops", "xen_cpu_ops", "xen_irq_ops", "xen_mmu_ops"};

  /**
   * What a call through {@code pv_ops[idx]} may reach (vmlinux only): every function any of the
   * paravirt tables puts at that index, except the ones patched into native code.
   */
  static final class PvOps {
    /** pv_ops' size in entries: its symbol's size, which the object may make anything. */
    final long nr;
    /** The targets of the indices that have any (made as found: nothing is allocated per entry). */
    final java.util.Map<Integer, java.util.List<Symbol>> targets = new java.util.HashMap<>();
    final java.util.Set<Symbol> added = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Indices found clean (all their targets noinstr). */
    final java.util.Set<Integer> clean = new java.util.HashSet<>();

    PvOps(long nr) {
      this.nr = nr;
    }
  }

  static PvOps initPvOps(ObjtoolFile file) {
    Symbol pv = file.elf().symbol("pv_ops");
    if (pv == null) return null;
    PvOps ops = new PvOps(Long.divideUnsigned(pv.size(), 8));
    for (String table : PV_OPS_TABLES) {
      Symbol sym = file.elf().symbol(table);
      if (sym == null || sym.section() == null || sym.section().relocations() == null) continue;
      io.objtool.elf.Relocations r = sym.section().relocations();
      long off = sym.value();
      long end = off + sym.size();
      while (true) {
        int i = r.find(off, end - off);
        if (i < 0) break;
        Symbol func = r.symbol(i);
        if (func.isSectionSymbol()) func = file.elf().sectionOf(func).symbols().at(r.addend(i));
        int idx = (int) ((r.offset(i) - sym.value()) / 8);
        // an undefined function counts too: it is not in a noinstr section
        if (func != null && idx >= 0 && idx < ops.nr
            && !func.name().equals("_paravirt_nop") && !func.name().equals("_paravirt_ident_64")
            && ops.added.add(func)) {
          ops.targets.computeIfAbsent(idx, k -> new java.util.ArrayList<>()).add(0, func);
        }
        off = r.offset(i) + 1;
        if (off > end) break;
      }
    }
    return ops;
  }

  /** A call through {@code pv_ops[idx]} stays in noinstr code when all its targets are noinstr. */
  private static boolean pvCallDest(ObjtoolFile file, PvOps ops, Instruction insn) {
    int r = file.insns().insnReloc(insn);
    if (r < 0 || !file.insns().relocs(insn).symbol(r).name().equals("pv_ops")) return false;
    int idx = (int) (file.arch().relocDestOffset(file.insns().relocs(insn).addend(r)) / 8);
    if (idx < 0 || idx >= ops.nr) return false;
    if (ops.clean.contains(idx)) return true;
    boolean clean = true;
    for (Symbol t : ops.targets.getOrDefault(idx, java.util.List.of())) {
      if (t.section() == null || !isNoinstrSection(t.section())) {
        file.diag().warn(NOINSTR_PV_OPS_TARGET, "pv_ops[" + idx + "]: " + t.name());
        clean = false;
      }
    }
    if (clean) ops.clean.add(idx);
    return clean;
  }

  /**
   * The callee's name as warnings print it, {@code {dynamic}} for an indirect call: objtool names
   * a paravirt call {@code {dynamic}} too (measured: {@code call *pv_ops+8(%rip)}).
   */
  private static String callDestName(Instruction insn) {
    return insn.callDest() != null ? insn.callDest().name() : "{dynamic}";
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    PvOps pv = initPvOps(file);
    StateSlot noinstr = file.newStateSlot("noinstr", false);
    StateSlot instr = file.newStateSlot("instrumentation-depth", false);
    boolean link = file.options().link();
    return new BranchVisitor(BranchVisitor.API_1, next) {
      @Override
      public void visitStart(Section sec, Func func, InsnState state) {
        if (link && sec != null && isNoinstrSection(sec)) state.set(noinstr, true);
        super.visitStart(sec, func, state);
      }

      @Override
      public void visitInsnStart(Func func, Instruction insn, InsnState state) {
        if (state.is(noinstr)) state.set(instr, state.get(instr) + insn.instr());
        super.visitInsnStart(func, insn, state);
      }

      private boolean check(Instruction insn, InsnState state) {
        if (!state.is(noinstr) || state.get(instr) > 0) return false;
        boolean ok = insn.callDest() != null ? noinstrCallDest(insn.callDest())
            : pv != null && pvCallDest(file, pv, insn);
        if (!ok) {
          file.diag().warnInsn(insn, NOINSTR_CALL_LEAVES_SECTION, "call to " + callDestName(insn) + "() leaves .noinstr.text section");
          return true;
        }
        return false;
      }

      @Override
      public boolean visitCall(Func func, Instruction insn, InsnState state) {
        return check(insn, state) || super.visitCall(func, insn, state);
      }

      @Override
      public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
        return check(insn, state) || super.visitSiblingCall(func, insn, state);
      }

      @Override
      public boolean visitReturn(Func func, Instruction insn, InsnState state) {
        if (state.is(noinstr) && state.get(instr) > 0) {
          file.diag().warnInsn(insn, NOINSTR_RETURN_WITH_INSTRUMENTATION, "return with instrumentation enabled");
          return true;
        }
        return super.visitReturn(func, insn, state);
      }
    };
  }
}
