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
 * Fuzz target: the DWARF readers on raw section bytes. The fuzzer mutates the bytes of a frame
 * section ({@code .eh_frame} or {@code .debug_frame}), {@code .debug_line} and
 * {@code .debug_line_str} themselves ({@link DwarfFuzzing#raw} gives the layout), which the
 * target wraps in a well-formed object, so that no mutation is spent on the ELF around them; the
 * checks are {@link DwarfFuzzTest}'s. Seeds: the sections of the objects {@link DwarfFuzzTest}
 * starts from, with their relocations applied. {@code scripts/fuzz.sh dwarfraw SECONDS} fuzzes
 * it; {@code mvn verify} runs the inputs kept in {@code DwarfSectionsFuzzTestInputs/}, and
 * {@link #seeds} the seeds.
 */
class DwarfSectionsFuzzTest {
  @TempDir Path dir;

  /** The seeds' sections, in the synthetic object, read as in the compiled one: FDEs with rows and lines found. */
  @Test
  void seeds() throws Exception {
    Oracles.require(Oracles.runs("gcc", "--version"), "gcc");
    int n = 0;
    for (Path o : DwarfFuzzing.compileSeeds(dir)) {
      for (byte[] raw : DwarfFuzzing.rawSeeds(o)) {
        n++;
        fuzzerTestOneInput(raw);
        try (ElfFile elf = ElfFile.parse(DwarfFuzzing.NAME, DwarfFuzzing.objectOf(raw))) {
          DwarfFuzzing.Found f = DwarfFuzzing.readAll(elf);
          assertFalse(f.malformed(), o + ": malformed");
          assertTrue(f.fdes() > 3 && f.rows() > f.fdes(), o + ": " + f);
          assertTrue(f.lines(), o + ": no line found in the synthetic object");
        }
      }
    }
    assertTrue(n >= DwarfFuzzing.FLAGS.size(), "raw seeds: " + n);
  }

  @FuzzTest
  void sections(byte[] data) {
    fuzzerTestOneInput(data);
  }

  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(byte[] data) {
    byte[] obj = DwarfFuzzing.objectOf(data);
    if (obj != null) DwarfFuzzing.readObject(obj);
  }
}
