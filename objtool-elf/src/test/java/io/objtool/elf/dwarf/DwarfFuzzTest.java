package io.objtool.elf.dwarf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.objtool.elf.ElfFile;
import io.objtool.testkit.Oracles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: the DWARF readers on whole mutated objects. An object the ELF reader accepts has
 * its {@code .eh_frame} and {@code .debug_frame} read ({@link FrameInfo}) and every FDE's
 * program run, expressions included, and its {@code .debug_line} read ({@link LineTable}) and
 * asked for lines. Malformed CFI must raise {@link io.objtool.elf.MalformedElfException} with
 * one line naming the file; the line table keeps what it read before a fault (documented) and
 * never throws for its own sections; rows are in address order, {@code rowAt} finds each, the
 * rules print in bounded text. Any other exception, running out of memory or time is a finding.
 * Seeds: the fixture {@code dwarf/frames.c} compiled at fuzz time by gcc with {@code -g} and
 * unwind tables under five flag sets (and by the aarch64 cross gcc when installed).
 * {@code scripts/fuzz.sh dwarf SECONDS} fuzzes it; {@code mvn verify} runs the inputs kept in
 * {@code DwarfFuzzTestInputs/}, and {@link #seeds} the seeds.
 */
class DwarfFuzzTest {
  @TempDir Path dir;

  /** The seeds are read in full: FDEs with rows and a line table, nothing malformed. */
  @Test
  void seeds() throws Exception {
    Oracles.require(Oracles.runs("gcc", "--version"), "gcc");
    for (Path o : DwarfFuzzing.compileSeeds(dir)) {
      fuzzerTestOneInput(DwarfFuzzing.read(o));
      try (ElfFile elf = ElfFile.open(o)) {
        DwarfFuzzing.Found f = DwarfFuzzing.readAll(elf);
        assertFalse(f.malformed(), o + ": malformed");
        assertTrue(f.fdes() > 3 && f.rows() > f.fdes(), o + ": " + f);
        assertTrue(f.lines(), o + ": no line table");
      }
    }
  }

  @FuzzTest
  void dwarf(byte[] data) {
    fuzzerTestOneInput(data);
  }

  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(byte[] data) {
    DwarfFuzzing.readObject(data);
  }
}
