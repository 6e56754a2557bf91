package io.objtool.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of arguments together with the byte layout a C program would see them in: every argument
 * NUL-terminated, one after the other. The reference's usage listing for {@code --n} and
 * {@code --no} reads three bytes past the start of the option text, which runs into the
 * following argument; {@link #cStringAt} reproduces that. Bytes past the end of the block are
 * unknown (environment strings in a real process) and reported as {@code null}.
 */
final class ArgVector {
  private final List<String> args;
  private final byte[] block;
  private final int[] offsets;

  private ArgVector(List<String> args, byte[] block, int[] offsets) {
    this.args = List.copyOf(args);
    this.block = block;
    this.offsets = offsets;
  }

  /** Command line arguments (without the program name), laid out back to back. */
  static ArgVector ofArgs(List<String> args) {
    int[] offsets = new int[args.size()];
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < args.size(); i++) {
      offsets[i] = out.size();
      out.writeBytes(args.get(i).getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return new ArgVector(args, out.toByteArray(), offsets);
  }

  /**
   * The words of an environment variable split at single spaces, the way {@code strtok} splits a
   * writable copy of it: runs of spaces separate words, only the space right after each word is
   * overwritten by a NUL.
   */
  static ArgVector ofSpaceSeparated(String value) {
    byte[] block = (value + "\0").getBytes(StandardCharsets.UTF_8);
    List<String> words = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    int i = 0;
    int n = block.length - 1;
    while (i < n) {
      while (i < n && block[i] == ' ') i++;
      if (i >= n) break;
      int start = i;
      while (i < n && block[i] != ' ') i++;
      words.add(new String(block, start, i - start, StandardCharsets.UTF_8));
      starts.add(start);
      block[i] = 0;
      if (i < n) i++;
    }
    int[] offsets = starts.stream().mapToInt(Integer::intValue).toArray();
    return new ArgVector(words, block, offsets);
  }

  int size() { return args.size(); }

  String get(int i) { return args.get(i); }

  List<String> from(int i) { return args.subList(Math.min(i, args.size()), args.size()); }

  int offset(int i) { return offsets[i]; }

  /** The NUL-terminated string at byte {@code pos} of the block, or null when it is outside. */
  String cStringAt(int pos) {
    if (pos < 0 || pos >= block.length) return null;
    int end = pos;
    while (end < block.length && block[end] != 0) end++;
    if (end >= block.length) return null;
    return new String(block, pos, end - pos, StandardCharsets.UTF_8);
  }

  /** The byte at {@code pos}, or -1 when it is outside the block. */
  int byteAt(int pos) {
    return pos >= 0 && pos < block.length ? block[pos] & 0xff : -1;
  }
}
