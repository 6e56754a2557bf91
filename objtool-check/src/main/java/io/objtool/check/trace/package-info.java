/**
 * {@code --trace=FUNC}: the engine's walk of the matching functions step by step. A
 * {@link io.objtool.check.trace.TraceRecorder} (a {@link io.objtool.api.BranchVisitor} of API 3,
 * put at the head of the chain by {@link io.objtool.check.trace.TracePass}) records each event
 * of the walk as a {@link io.objtool.check.trace.Trace.Step} with the CFI state after it, and the
 * path that led to each warning ({@link io.objtool.check.trace.Trace.Path});
 * {@link io.objtool.check.trace.TraceText} prints them, with disassembly from binutils' objdump
 * run once per object ({@link io.objtool.check.trace.Disassembly}).
 */
package io.objtool.check.trace;
