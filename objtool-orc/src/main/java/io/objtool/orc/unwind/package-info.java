/**
 * The ORC unwinder: a sorted orc table loaded from an object or linked image
 * ({@link io.objtool.orc.unwind.OrcTableLoader}), the fast lookup table
 * ({@link io.objtool.orc.unwind.FastLookup}), the unwind of a stack snapshot
 * ({@link io.objtool.orc.unwind.OrcUnwinder}) with every stop explained
 * ({@link io.objtool.orc.unwind.StopReason}), and frame-pointer validation against the table
 * ({@link io.objtool.orc.unwind.FramePointerCheck}).
 */
package io.objtool.orc.unwind;
