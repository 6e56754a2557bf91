/** The AArch64 decoder and architecture, found through {@link java.util.ServiceLoader}; no exported package. */
module io.objtool.arm64 {
  requires io.objtool.api;
  requires static com.google.auto.service;

  provides io.objtool.api.arch.Arch with io.objtool.arm64.Arm64Arch;
}
