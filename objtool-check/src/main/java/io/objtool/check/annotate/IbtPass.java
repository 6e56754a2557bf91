package io.objtool.check.annotate;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code --ibt}: every code address taken — by a relocation in an instruction that is not a
 * branch, or by a relocation in a data section that may hold function pointers — must land on
 * an ENDBR (or be annotated NOENDBR, point into its own function, or end an annotated range).
 * The ENDBRs at function starts that nothing takes the address of are left for
 * {@link IbtSealPass} to list in {@code .ibt_endbr_seal}.
 */
@AutoService(Pass.class)
public final class IbtPass extends ActionPass {
  /** Rule {@code ibt-relocation-to-non-endbr}: Code takes the address of an instruction that is not an ENDBR (`--ibt`). */
  public static final Rule IBT_RELOCATION_TO_NON_ENDBR = Rule.warning("ibt-relocation-to-non-endbr", "Code takes the address of an instruction that is not an ENDBR (`--ibt`).");
  /** Rule {@code ibt-data-relocation-to-non-endbr}: Data holds the address of an instruction that is not an ENDBR (`--ibt`). */
  public static final Rule IBT_DATA_RELOCATION_TO_NON_ENDBR = Rule.warning("ibt-data-relocation-to-non-endbr", "Data holds the address of an instruction that is not an ENDBR (`--ibt`).");

  public IbtPass() {
    super("ibt", "validate and annotate IBT", options -> options.ibt(), Order.IBT, false);
  }

  private static final Object KEY = IbtPass.class;

  /** The ENDBRs at function starts whose address nothing takes, in section and symbol order. */
  static Set<Instruction> unusedEndbrs(ObjtoolFile file) {
    Set<Instruction> s = Model.attachment(file, KEY);
    if (s == null) {
      s = functionEndbrs(file);
      Model.attach(file, KEY, s);
      Model.attach(file, START_COUNT, new int[] {s.size()});
    }
    return s;
  }

  private static final Object START_COUNT = new Object();

  /** How many functions start with an ENDBR (before the used ones were taken out). */
  static int functionStartEndbrs(ObjtoolFile file) {
    unusedEndbrs(file);
    int[] n = Model.attachment(file, START_COUNT);
    return n[0];
  }

  private static Set<Instruction> functionEndbrs(ObjtoolFile file) {
    Set<Instruction> out = new LinkedHashSet<>();
    for (Section sec : file.elf().sections()) {
      if (!sec.isExecutable() || !file.insns().hasInstructions(sec)) continue;
      for (Symbol s : sec.symbols().all()) {
        if (s.type() != Elf.STT_FUNC || s.value() == sec.size()) continue;
        Func f = file.func(s);
        if (f.alias() != f || io.objtool.check.cfg.Funcs.isEmbeddedInsn(s)) continue;
        Instruction insn = file.insns().findInsn(sec, s.value());
        if (insn != null && insn.type() == InsnType.ENDBR) out.add(insn);
      }
    }
    return out;
  }

  /** Sections whose code addresses are not indirect branch targets. */
  static boolean skipDataSection(String n) {
    if (n.startsWith(".discard") && !n.equals(".discard.ibt_endbr_noseal")) return true;
    if (n.startsWith(".debug")) return true;
    if (n.contains("__patchable_function_entries")) return true;
    return switch (n) {
      case ".altinstructions", ".ibt_endbr_seal", ".orc_unwind_ip", ".parainstructions",
          ".retpoline_sites", ".smp_locks", ".static_call_sites", "_error_injection_whitelist",
          "_kprobe_blacklist", "__bug_table", "__ex_table", "__jump_table", "__mcount_loc",
          ".kcfi_traps" -> true;
      default -> false;
    };
  }

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    Set<Instruction> endbrs = unusedEndbrs(file);
    for (Instruction insn : file.insns().allInsns()) checkInsn(file, insn, endbrs);
    for (Section sec : file.elf().sections()) {
      if (sec.isExecutable() || sec.isRela()) continue;
      Relocations r = sec.relocations();
      if (r == null || skipDataSection(sec.name())) continue;
      for (int i = 0; i < r.count(); i++) checkData(file, sec, r, i, endbrs);
    }
  }

  private static void checkInsn(ObjtoolFile file, Instruction insn, Set<Instruction> endbrs) {
    switch (insn.type()) {
      case CALL, CALL_DYNAMIC, JUMP_CONDITIONAL, JUMP_UNCONDITIONAL, JUMP_DYNAMIC,
          JUMP_DYNAMIC_CONDITIONAL, RETURN, NOP -> {
        return;
      }
      default -> { }
    }
    int r = file.insns().insnReloc(insn);
    if (r < 0) return;
    Relocations rel = file.insns().relocs(insn);
    long end = insn.offset() + insn.length();
    for (; r >= 0; r = next(rel, r, end)) {
      Symbol sym = rel.symbol(r);
      // static_call_update() passes the trampoline, which is jumped to, never called indirectly
      if (CallSites.isStaticCallTramp(sym)) continue;
      long off = sym.value();
      int type = rel.type(r);
      if (type == Elf.R_X86_64_PC32 || type == Elf.R_X86_64_PLT32) {
        off += file.arch().relocDestOffset(rel.addend(r));
      } else {
        off += rel.addend(r);
      }
      Instruction dest = sym.section() == null ? null : file.insns().findInsn(sym.section(), off);
      if (dest != null) checkDest(file, insn, dest, endbrs);
    }
  }

  /** The next relocation after entry {@code r} that still lies inside the instruction, or -1. */
  private static int next(Relocations rel, int r, long end) {
    long from = rel.offset(r) + 1;
    return from < end ? rel.find(from, end - from) : -1;
  }

  private static void checkDest(ObjtoolFile file, Instruction insn, Instruction dest, Set<Instruction> endbrs) {
    if (dest.type() == InsnType.ENDBR) {
      endbrs.remove(dest);
      return;
    }
    Func df = dest.func(), f = insn.func();
    if (df != null && f != null && df.pfunc() == f.pfunc()) return; // _THIS_IP_, IRET to self
    if (dest.has(Instruction.NOENDBR)) return;
    if (endsMarkedRange(file, dest)) return;
    file.diag().warnInsn(insn, IBT_RELOCATION_TO_NON_ENDBR, "relocation to !ENDBR: " + file.diag().offstr(dest.section(), dest.offset()));
  }

  /** {@code dest} is just past a symbol that begins with an ENDBR or a NOENDBR annotation. */
  private static boolean endsMarkedRange(ObjtoolFile file, Instruction dest) {
    if (dest.offset() == 0) return false;
    Symbol sym = dest.section().symbols().containing(dest.offset() - 1);
    if (sym == null) return false;
    Instruction first = file.insns().findInsn(sym.section(), sym.value());
    if (first == null || (first.type() != InsnType.ENDBR && !first.has(Instruction.NOENDBR))) return false;
    Func f = file.func(sym);
    return dest.offset() == sym.value() + f.len();
  }

  private static void checkData(ObjtoolFile file, Section sec, Relocations r, int i, Set<Instruction> endbrs) {
    Symbol sym = r.symbol(i);
    if (sym.section() == null) return;
    Instruction dest = file.insns().findInsn(sym.section(), sym.value() + r.addend(i));
    if (dest == null) return;
    if (dest.type() == InsnType.ENDBR) {
      endbrs.remove(dest);
      return;
    }
    if (dest.has(Instruction.NOENDBR)) return;
    file.diag().warnAt(sec, r.offset(i), IBT_DATA_RELOCATION_TO_NON_ENDBR, "data relocation to !ENDBR: " + file.diag().offstr(dest.section(), dest.offset()));
  }
}
