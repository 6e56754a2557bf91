/**
 * ORC: the entry formats and {@code --dump=orc} ({@code io.objtool.orc}), the unwinder library
 * ({@code io.objtool.orc.unwind}) and the generator pass (not exported, found as a service).
 */
module io.objtool.orc {
  requires transitive io.objtool.api;
  requires static com.google.auto.service;

  exports io.objtool.orc;
  exports io.objtool.orc.unwind;
  exports io.objtool.orc.cfi;

  provides io.objtool.api.Pass with io.objtool.orc.gen.OrcGenerator;
}
