/** The x86-64 decoder and architecture, found through {@link java.util.ServiceLoader}; no exported package. */
module io.objtool.x86 {
  requires io.objtool.api;
  requires static com.google.auto.service;

  provides io.objtool.api.arch.Arch with io.objtool.x86.X86Arch;
}
