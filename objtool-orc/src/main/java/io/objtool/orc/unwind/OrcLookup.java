package io.objtool.orc.unwind;

/** Finds the orc entry that covers an ip: the rightmost entry whose ip is at or below it. */
public interface OrcLookup {
  /** The table the indices refer to. */
  OrcTable table();

  /** The index of the entry covering {@code ip} in {@link #table()}, or -1 below the first entry. */
  int find(long ip);
}
