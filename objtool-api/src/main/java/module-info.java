/**
 * The public API of objtool for the JVM: the read-only model passes see ({@code io.objtool.api}),
 * the pass SPI ({@link io.objtool.api.Pass}, {@link io.objtool.api.BranchVisitor}) and the
 * architecture SPI ({@code io.objtool.api.arch}). The model's write access
 * and the decoders' ({@code io.objtool.api.internal}) are exported only to the project's modules.
 */
module io.objtool.api {
  requires transitive io.objtool.elf;

  exports io.objtool.api;
  exports io.objtool.api.arch;
  exports io.objtool.api.internal to io.objtool.check, io.objtool.orc, io.objtool.cli, io.objtool.x86, io.objtool.arm64;

  uses io.objtool.api.arch.Arch;
}
