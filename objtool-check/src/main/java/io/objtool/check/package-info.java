/**
 * The driver of a check ({@link io.objtool.check.Checker}): builds the CFG of an object, runs the
 * engine's walk over every code path with the visitor chain of the enabled passes (found with
 * {@link java.util.ServiceLoader}), and lets each pass finish. The CFG steps, the engine and the
 * built-in passes are in packages this module does not export.
 */
package io.objtool.check;
