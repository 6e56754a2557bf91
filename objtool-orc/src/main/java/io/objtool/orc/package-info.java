/**
 * ORC ("undwarf") tables: the orc entry in both kernel formats ({@link io.objtool.orc.OrcFormat}),
 * and {@code --dump=orc} ({@link io.objtool.orc.OrcDump}, {@link io.objtool.orc.OrcDumpCommand}).
 * The unwinder that reads the tables is in {@link io.objtool.orc.unwind}.
 */
package io.objtool.orc;
