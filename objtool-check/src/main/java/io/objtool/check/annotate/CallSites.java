package io.objtool.check.annotate;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Symbol;
import java.util.ArrayList;
import java.util.List;

/**
 * The call sites the CFG builder finds while it resolves calls and jumps, kept with the file for
 * the section writers: calls and tail calls to static-call trampolines, calls and jumps through
 * retpoline thunks, jumps to the return thunk, {@code __fentry__} calls, and the other direct
 * calls. Each list is in the order the sites were resolved: jumps (section order) before calls.
 * {@link #annotate} also makes the rewrites the reference makes at that moment
 * ({@code --hacks=noinstr}, {@code --mnop}).
 */
public final class CallSites {
  /** Rule {@code tail-call-to-fentry}: A jump to `__fentry__` (`--mcount`). */
  public static final Rule TAIL_CALL_TO_FENTRY = Rule.warning("tail-call-to-fentry", "A jump to `__fentry__` (`--mcount`).");

  /** Calls and tail calls to {@code __SCT__*} trampolines: {@code .static_call_sites}. */
  public final List<Instruction> staticCalls = new ArrayList<>();
  /** Calls and jumps through {@code __x86_indirect_*} thunks: {@code .retpoline_sites}. */
  public final List<Instruction> retpolineCalls = new ArrayList<>();
  /** Jumps to {@code __x86_return_thunk} in code sections: {@code .return_sites}. */
  public final List<Instruction> returnThunks = new ArrayList<>();
  /** Calls to {@code __fentry__}: {@code __mcount_loc}. */
  public final List<Instruction> mcountCalls = new ArrayList<>();
  /** Other direct calls: {@code .call_sites}. */
  public final List<Instruction> calls = new ArrayList<>();

  private static final Object KEY = CallSites.class;

  /** The file's lists, created empty on first use. */
  public static CallSites of(ObjtoolFile file) {
    CallSites c = Model.attachment(file, KEY);
    if (c == null) {
      c = new CallSites();
      Model.attach(file, KEY, c);
    }
    return c;
  }

  static boolean isStaticCallTramp(Symbol s) {
    return s.bind() == Elf.STB_GLOBAL && s.name().startsWith("__SCT__");
  }

  static boolean isRetpolineThunk(Symbol s) {
    return s.bind() == Elf.STB_GLOBAL && s.name().startsWith("__x86_indirect_");
  }

  static boolean isFentry(Symbol s) {
    return s.bind() == Elf.STB_GLOBAL && s.name().equals("__fentry__");
  }

  /** Sanitizer and coverage hooks that code which must not be instrumented may not call. */
  static boolean isProfilingFunc(Symbol s) {
    if (s.bind() != Elf.STB_GLOBAL) return false;
    String n = s.name();
    return n.startsWith("__sanitizer_cov_") || n.startsWith("__tsan_func_") || n.equals("__tsan_atomic_signal_fence");
  }

  /**
   * Code sections whose return-thunk jumps are recorded: all code, alternative replacements
   * included (the kernel patches them before it copies them in).
   */
  static boolean isTextSection(io.objtool.elf.Section s) {
    return s.isExecutable();
  }

  /**
   * Records a resolved call, tail call or thunk jump ({@code dest} is the call destination, or
   * the relocation's symbol when there is none). Calls to the embedded-instruction thunks
   * ({@code srso_safe_ret}, ...) are call sites like any other. Returns true when the site was taken by one of
   * the special cases, so the caller must not also mark it as a call to a dead-end function.
   */
  public static boolean annotate(ObjtoolFile file, Instruction insn, Symbol dest, boolean sibling) {
    if (dest == null) {
      int r = file.insns().insnReloc(insn);
      if (r < 0) return true;
      dest = file.insns().relocs(insn).symbol(r);
    }
    // replacement code is a template copied over the original: no site of its own
    if (insn.section().name().equals(".altinstr_replacement")) return true;
    CallSites sites = of(file);
    if (isStaticCallTramp(dest)) {
      sites.staticCalls.add(insn);
      return true;
    }
    if (isRetpolineThunk(dest)) {
      sites.retpolineCalls.add(insn);
      return true;
    }
    Options o = file.options();
    if (o.hackNoinstr() && io.objtool.check.passes.NoinstrPass.isNoinstrSection(insn.section()) && isProfilingFunc(dest)) {
      NoinstrHackPass.silence(file, insn, sibling);
      return true;
    }
    if (o.mcount() && isFentry(dest)) {
      if (sibling) file.diag().warnInsn(insn, TAIL_CALL_TO_FENTRY, "tail call to __fentry__ !?!?");
      if (o.mnop()) {
        clearReloc(file, insn);
        InsnPatch.write(file, insn, InsnPatch.nop(file, insn.length()));
        Model.setType(insn, InsnType.NOP);
      }
      sites.mcountCalls.add(insn);
      return true;
    }
    if (insn.type() == InsnType.CALL && !isInit(file, insn.section())) {
      sites.calls.add(insn);
    }
    return false;
  }

  /**
   * The kernel's {@code .init.text}: it runs before user space exists, so it needs no retpolines
   * and no call accounting. Not so for a module, whose init code runs late.
   */
  static boolean isInit(ObjtoolFile file, io.objtool.elf.Section s) {
    return !file.options().module() && s.name().equals(".init.text");
  }

  /** Records a jump to the return thunk (only in code that stays in the image). */
  public static void returnThunk(ObjtoolFile file, Instruction insn) {
    if (isTextSection(insn.section())) of(file).returnThunks.add(insn);
  }

  /** Makes the relocation of {@code insn}, if any, an {@code R_X86_64_NONE}. */
  static void clearReloc(ObjtoolFile file, Instruction insn) {
    int r = file.insns().insnReloc(insn);
    if (r < 0) return;
    Relocations rel = file.insns().relocs(insn);
    InsnPatch.clearRelocType(file, rel, r);
  }
}
