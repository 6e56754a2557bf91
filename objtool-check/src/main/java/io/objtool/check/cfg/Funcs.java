package io.objtool.check.cfg;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.Func;
import io.objtool.api.ObjtoolFile;
import io.objtool.elf.Elf;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * Function bookkeeping done before decoding: aliases (function symbols sharing start and size),
 * and the parent/child links of {@code .cold} parts, shortening a parent whose cold part sits at
 * its end.
 */
public final class Funcs {
  /** Rule {@code cold-without-parent}: A `.cold` part of a function whose parent symbol is missing. */
  public static final Rule COLD_WITHOUT_PARENT = Rule.error("cold-without-parent", "A `.cold` part of a function whose parent symbol is missing.");

  private Funcs() {}

  public static void run(ObjtoolFile file) {
    for (Section sec : file.elf().sections()) {
      Func prev = null;
      for (Symbol s : sec.symbols().all()) {
        if (s.type() != Elf.STT_FUNC && s.type() != Elf.STT_NOTYPE) continue;
        Func f = file.func(s);
        if (prev != null && prev.offset() == f.offset() && prev.symbol().size() == s.size()
            && prev.symbol().type() == s.type()) {
          Model.setAlias(f, prev.alias());
        } else {
          prev = f;
        }
      }
    }
    for (Symbol s : file.elf().symbols()) {
      if (s.bind() == Elf.STB_GLOBAL && s.name().startsWith("__SCT__")) Model.setStaticCallTramp(file.func(s));
    }
    for (Symbol s : file.elf().symbols()) {
      if (s.type() != Elf.STT_FUNC) continue;
      int cold = s.name().indexOf(".cold");
      if (cold < 0) continue;
      Symbol parent = file.elf().symbol(s.name().substring(0, cold));
      if (parent == null) {
        file.diag().warn(COLD_WITHOUT_PARENT, s.name() + "(): can't find parent function");
        io.objtool.check.Stats.of(file).symbolsFailed(); // the reference's --stats stop with the symbols
        throw new CfgException(true); // reading the symbols failed: the reference exits 1
      }
      Func child = file.func(s);
      Func pf = file.func(parent);
      Model.setPfunc(child, pf);
      Model.setCfunc(pf, child);
      if (s.section() == parent.section() && s.value() >= parent.value()
          && s.value() + s.size() == parent.value() + pf.len()) {
        Model.setLen(pf, pf.len() - s.size());
      }
    }
  }

  /** Retpoline thunks: global {@code __x86_indirect_*}. */
  public static boolean isRetpolineThunk(Symbol s) {
    return s.bind() == Elf.STB_GLOBAL && s.name().startsWith("__x86_indirect_");
  }

  /** The return thunk (a global symbol). */
  public static boolean isReturnThunk(Symbol s) {
    return s.bind() == Elf.STB_GLOBAL && s.name().equals("__x86_return_thunk");
  }

  /** Global symbols whose only instruction is embedded in another instruction's bytes. */
  public static boolean isEmbeddedInsn(Symbol s) {
    String n = s.name();
    return s.bind() == Elf.STB_GLOBAL
        && (n.equals("retbleed_return_thunk") || n.equals("srso_alias_safe_ret") || n.equals("srso_safe_ret"));
  }
}
