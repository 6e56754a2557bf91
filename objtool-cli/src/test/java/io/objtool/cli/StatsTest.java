package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --stats} prints the reference's counters in its format: the object's sizes and hash-table
 * bits, the instructions, the jump-label table and the walk's CFI sharing (see stats.s). When the
 * reference binary is present its output is compared too.
 */
class StatsTest {
  @TempDir Path dir;

  static final String EXPECTED = """
      nr_sections: 7
      section_bits: 10
      nr_symbols: 2
      symbol_bits: 10
      max_reloc: 0
      num_relocs: 0
      reloc_bits: 10
      cfi_bits: 10
      nr_insns: 22
      jl\\\tNOP\tJMP
      short:\t0\t0
      long:\t0\t0
      nr_insns_visited: 22
      nr_cfi: 20
      nr_cfi_reused: 1
      nr_cfi_cache: 1
      """;

  @Test
  void countersAreTheReferences() throws Exception {
    Path src = dir.resolve("stats.s");
    try (InputStream in = StatsTest.class.getResourceAsStream("stats.s")) {
      Files.copy(in, src);
    }
    Path obj = dir.resolve("stats.o");
    assertEquals(0, new ProcessBuilder("gcc", "-c", src.toString(), "-o", obj.toString()).inheritIO().start().waitFor());
    Path ours = dir.resolve("ours.o");
    Files.copy(obj, ours);
    List<String> args = new ArrayList<>(List.of("--orc", "--link", "--module", "--stats", ours.toString()));
    Fixtures.Outcome o = Fixtures.runOurs(args);
    assertEquals(EXPECTED, o.stdout());

    Path ref = Fixtures.reference();
    Path theirs = dir.resolve("theirs.o");
    Files.copy(obj, theirs);
    args.set(args.size() - 1, theirs.toString());
    String refOut = Fixtures.runReference(ref, dir, args, null).stdout();
    io.objtool.testkit.Oracles.tally("stats", "--stats outputs (objtool 6.12)").compare(() -> assertEquals(refOut, o.stdout()));
  }
}
