/**
 * The public API of objtool for the JVM: what a validation pass sees, read-only, and the pass SPI.
 *
 * <ul>
 *   <li>The model of an object being checked: {@link io.objtool.api.ObjtoolFile} (the ELF file,
 *       decoded {@link io.objtool.api.Instruction}s, {@link io.objtool.api.Func}tions,
 *       {@link io.objtool.api.AltGroup alternatives}, the options) and
 *       {@link io.objtool.api.Insns}, the questions about instructions every pass shares (the Java
 *       form of objtool's insn.c).
 *   <li>The walk: a {@link io.objtool.api.Pass} contributes a versioned
 *       {@link io.objtool.api.BranchVisitor} to the chain the engine calls on every code path,
 *       with the path's {@link io.objtool.api.InsnState} (the {@link io.objtool.api.CfiState CFI}
 *       and the passes' own {@link io.objtool.api.StateSlot}s).
 *   <li>Reporting: {@link io.objtool.api.Diagnostics} prints warnings in objtool's format, each
 *       belonging to a documented {@link io.objtool.api.Rule}.
 *   <li>{@link io.objtool.api.Options}: the command line, immutable.
 * </ul>
 *
 * <p>Nothing here lets a pass change what the engine built: the model has no setters, and the
 * engine's write access lives in a package the module exports only to the engine's modules.
 */
package io.objtool.api;
