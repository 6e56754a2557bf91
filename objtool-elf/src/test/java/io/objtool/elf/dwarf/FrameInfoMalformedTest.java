package io.objtool.elf.dwarf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.ElfException;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Section;
import io.objtool.testkit.Oracles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged frame sections: the reader raises {@link ElfException} with one line, never anything else. */
class FrameInfoMalformedTest {
  @TempDir Path dir;

  @Test
  void everyDamagedByteIsAnElfExceptionOrReadable() throws Exception {
    Oracles.require(Oracles.runs("gcc", "--version"), "gcc");
    Path src = dir.resolve("frames.c");
    try (InputStream in = getClass().getResourceAsStream("/fixtures/dwarf/frames.c")) {
      Files.copy(in, src);
    }
    Path obj = dir.resolve("frames.o");
    Process p = new ProcessBuilder("gcc", "-c", "-O2", "-fasynchronous-unwind-tables", "-mstackrealign",
        src.toString(), "-o", obj.toString()).inheritIO().start();
    assertTrue(p.waitFor() == 0, "gcc failed");
    byte[] bytes = Files.readAllBytes(obj);
    long start;
    long size;
    try (ElfFile elf = ElfFile.open(obj)) {
      Section eh = elf.section(".eh_frame");
      start = eh.fileOffset();
      size = eh.size();
    }
    int errors = 0;
    for (long i = start; i < start + size; i++) {
      for (int v : new int[] {0x00, 0xff, 0x7f, 0x2f}) {
        byte[] b = bytes.clone();
        b[(int) i] = (byte) v;
        try (ElfFile elf = ElfFile.parse(Path.of("damaged.o"), b)) {
          for (Fde f : FrameInfo.read(elf).fdes()) f.rows();
        } catch (ElfException e) {
          errors++;
          assertFalse(e.getMessage().contains("\n"), e.getMessage());
          assertTrue(e.getMessage().startsWith("damaged.o: .eh_frame"), e.getMessage());
        }
      }
    }
    assertTrue(errors > 0, "no damage was noticed");
  }

  @Test
  void truncatedSectionNamesTheOffset() throws Exception {
    Oracles.require(Oracles.runs("gcc", "--version"), "gcc");
    Path src = dir.resolve("f.c");
    Files.writeString(src, "extern void g(void); int f(void) { g(); return 1; }\n");
    Path obj = dir.resolve("f.o");
    assertTrue(new ProcessBuilder("gcc", "-c", "-O2", "-fasynchronous-unwind-tables", src.toString(), "-o", obj.toString())
        .inheritIO().start().waitFor() == 0);
    byte[] b = Files.readAllBytes(obj);
    long at;
    try (ElfFile elf = ElfFile.open(obj)) {
      at = elf.section(".eh_frame").fileOffset();
    }
    // the CIE's length now runs past the section's end
    b[(int) at] = (byte) 0xf0;
    b[(int) at + 1] = (byte) 0x7f;
    try (ElfFile elf = ElfFile.parse(Path.of("t.o"), b)) {
      ElfException e = assertThrows(ElfException.class, () -> FrameInfo.read(elf));
      assertTrue(e.getMessage().startsWith("t.o: .eh_frame: entry at offset 0x0 has length"), e.getMessage());
    }
  }
}
