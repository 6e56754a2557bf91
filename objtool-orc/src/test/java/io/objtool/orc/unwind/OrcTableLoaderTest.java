package io.objtool.orc.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.ElfFile;
import io.objtool.orc.Fixtures;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcType;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading orc tables from gcc-built objects and images. */
class OrcTableLoaderTest {
  @TempDir static Path dir;

  static final String SRC = """
      .text
      .globl _start
      _start: nop
      .globl b
      b: nop
      ret
      .section .text.two,"ax"
      .globl c
      c: ret
      .section .orc_unwind_ip,"a"
      .long c-.
      .long b-.
      .long _start-.
      .long b+2-.
      .long c-.
      .section .orc_unwind,"a"
      .short 8,0,0x205
      .short 16,-16,0x215
      .short 8,0,0x205
      .short 0,0,0x100
      .short 0,0,0
      """;

  @BeforeAll
  static void gcc() {
    Oracles.require(Fixtures.haveGcc(), "gcc (Debian: gcc)");
  }

  @Test
  void relocatableObjectAtChosenBases() throws IOException {
    Path o = Fixtures.compile(dir, "rel.s", SRC);
    try (ElfFile f = ElfFile.open(o)) {
      SectionLayout layout = SectionLayout.empty().place(f.section(".text"), 0x10000).place(f.section(".text.two"), 0x20000);
      OrcTable t = OrcTableLoader.relocatable(f, OrcFormat.CURRENT, layout);
      assertEquals(5, t.size());
      assertEquals(List.of(0x10000L, 0x10001L, 0x10003L, 0x20000L, 0x20000L),
          List.of(t.ip(0), t.ip(1), t.ip(2), t.ip(3), t.ip(4)));
      assertEquals(OrcType.END_OF_STACK, t.entry(2).kind());
      assertTrue(t.entry(3).isUndefined()); // the terminator sorts before c's real entry
      assertEquals(OrcType.CALL, t.entry(t.find(0x20000)).kind());
      OrcTable seq = OrcTableLoader.load(f, OrcFormat.CURRENT);
      long text = 0; // .text is the first allocated section, placed at 0
      assertEquals(text, seq.ip(0));
      assertThrows(IllegalArgumentException.class,
          () -> OrcTableLoader.relocatable(f, OrcFormat.CURRENT, SectionLayout.empty().place(f.section(".text"), 0)));
    }
  }

  @Test
  void linkedImageUsesSectionAddresses() throws IOException {
    Path o = Fixtures.compile(dir, "img.s", SRC);
    Path img = Fixtures.link(dir.resolve("img"), List.of(o), "-nostdlib", "-static", "-no-pie");
    try (ElfFile f = ElfFile.open(img)) {
      OrcTable t = OrcTableLoader.load(f, OrcFormat.CURRENT);
      long start = f.symbol("_start").value();
      long c = f.symbol("c").value();
      assertEquals(start, t.ip(0));
      assertEquals(start + 3, t.ip(2));
      assertEquals(c, t.ip(t.size() - 1));
      OrcTable biased = OrcTableLoader.linked(f, OrcFormat.CURRENT, 0x1000_0000L);
      assertEquals(start + 0x1000_0000L, biased.ip(0));
    }
  }

  @Test
  void missingOrBadTables() throws IOException {
    Path none = Fixtures.compile(dir, "none.s", ".text\nf: ret\n");
    try (ElfFile f = ElfFile.open(none)) {
      OrcTableException e = assertThrows(OrcTableException.class, () -> OrcTableLoader.load(f, OrcFormat.CURRENT));
      assertTrue(e.getMessage().endsWith("no .orc_unwind section"), e.getMessage());
    }
    Path bad = Fixtures.compile(dir, "bad.s", ".text\nf: ret\n.section .orc_unwind_ip,\"a\"\n.long f-.\n.long f-.\n"
        + ".section .orc_unwind,\"a\"\n.short 8,0,0x205\n");
    try (ElfFile f = ElfFile.open(bad)) {
      assertThrows(OrcTableException.class, () -> OrcTableLoader.load(f, OrcFormat.CURRENT));
    }
    Path undef = Fixtures.compile(dir, "undef.s", ".section .orc_unwind_ip,\"a\"\n.long ext-.\n"
        + ".section .orc_unwind,\"a\"\n.short 8,0,0x205\n");
    try (ElfFile f = ElfFile.open(undef)) {
      OrcTableException e = assertThrows(OrcTableException.class, () -> OrcTableLoader.load(f, OrcFormat.CURRENT));
      assertTrue(e.getMessage().contains("undefined symbol ext"), e.getMessage());
    }
  }

  @Test
  void bigModuleFromTheCorpus() throws IOException {
    Path ko = Oracles.requireCorpusFile("6.12/orig/drivers/gpu/drm/amd/amdgpu/amdgpu.ko");
    try (ElfFile f = ElfFile.open(ko)) {
      OrcTable t = OrcTableLoader.load(f, OrcFormat.CURRENT);
      assertEquals(f.section(".orc_unwind").size() / 6, t.size());
      for (int i = 1; i < t.size(); i++) assertTrue(t.ip(i - 1) <= t.ip(i));
      FastLookup fast = FastLookup.build(t);
      for (int i = 0; i < t.size(); i += 97) {
        long ip = t.ip(i) + 1;
        assertEquals(t.find(ip), fast.find(ip));
      }
    }
  }
}
