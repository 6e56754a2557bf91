package io.objtool.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Changing objects and writing them: identity, added sections/relocations/symbols, atomicity. */
class ElfWriterTest {
  @TempDir Path dir;

  @Test
  void unmodifiedWriteReproducesTheFile() throws Exception {
    for (String fixture : new String[] {"sample.c", "group.s"}) {
      Path obj = Fixtures.compile(dir, fixture);
      Path out = dir.resolve(fixture + ".copy.o");
      try (ElfFile f = ElfFile.open(obj)) {
        f.write(out);
      }
      assertArrayEquals(Files.readAllBytes(obj), Files.readAllBytes(out), fixture);
    }
  }

  /**
   * An object with no program headers but a stray e_phoff (a fuzzed input): libelf writes e_phoff
   * 0, as the reference objtool's output shows; the rest of the header is kept.
   */
  @Test
  void noProgramHeadersMeansNoProgramHeaderOffset() throws Exception {
    byte[] bytes = Files.readAllBytes(Fixtures.compile(dir, "sample.c"));
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(32, 9);
    Path obj = dir.resolve("stray-phoff.o");
    Files.write(obj, bytes);
    Path out = dir.resolve("stray-phoff.copy.o");
    try (ElfFile f = ElfFile.open(obj)) {
      f.write(out, ElfFile.Layout.REPACK);
    }
    byte[] written = Files.readAllBytes(out);
    assertEquals(0, java.nio.ByteBuffer.wrap(written).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(32));
    // the rest of the header but e_shoff (the repacked layout moves the section headers)
    assertArrayEquals(java.util.Arrays.copyOf(bytes, 32), java.util.Arrays.copyOf(written, 32));
    assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 48, 64), java.util.Arrays.copyOfRange(written, 48, 64));
  }

  @Test
  void writingInPlaceReplacesTheFile() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    byte[] before = Files.readAllBytes(obj);
    try (ElfFile f = ElfFile.open(obj)) {
      f.addSection(".note.added", Elf.SHT_PROGBITS, 0, 0, 1, new byte[] {1, 2, 3});
      f.write(obj);
      // the mapping of the old file stays valid after the rename
      assertEquals(".text", f.section(".text").name());
      assertEquals(before.length, f.size());
    }
    try (ElfFile g = ElfFile.open(obj)) {
      assertArrayEquals(new byte[] {1, 2, 3}, g.section(".note.added").data().toArray(ValueLayout.JAVA_BYTE));
    }
  }

  /**
   * Patches over a mapped section are kept aside: written over its bytes by the writer (later
   * ones win), applied when its bytes are asked for, and over bytes of its own made in place.
   */
  @Test
  void patchesAreWrittenOverTheSectionsBytes() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    Path out = dir.resolve("patched.o");
    Path out2 = dir.resolve("patched2.o");
    byte[] before;
    try (ElfFile f = ElfFile.open(obj)) {
      Section text = f.section(".text");
      before = text.data().toArray(ValueLayout.JAVA_BYTE);
      assertTrue(before.length >= 8, "a .text of at least 8 bytes");
      text.patch(1, new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0x90});
      byte[] again = {(byte) 0xcc, (byte) 0xcc};
      text.patch(2, again);
      again[0] = 0; // the patch is a copy
      assertThrows(IndexOutOfBoundsException.class, () -> text.patch(before.length - 1, new byte[2]));
      assertThrows(IndexOutOfBoundsException.class, () -> text.patch(-1, new byte[1]));
      f.write(out);
    }
    byte[] want = before.clone();
    want[1] = (byte) 0x90;
    want[2] = (byte) 0xcc;
    want[3] = (byte) 0xcc;
    try (ElfFile g = ElfFile.open(out)) {
      assertArrayEquals(want, g.section(".text").data().toArray(ValueLayout.JAVA_BYTE));
    }
    try (ElfFile f = ElfFile.open(obj)) {
      Section text = f.section(".text");
      text.patch(0, new byte[] {(byte) 0xc3});
      byte[] read = text.data().toArray(ValueLayout.JAVA_BYTE); // applies the patch
      assertEquals((byte) 0xc3, read[0]);
      text.patch(4, new byte[] {(byte) 0xcc}); // over bytes of its own now: in place
      assertEquals((byte) 0xcc, text.data().get(ValueLayout.JAVA_BYTE, 4));
      f.write(out2);
    }
    try (ElfFile g = ElfFile.open(out2)) {
      byte[] b = g.section(".text").data().toArray(ValueLayout.JAVA_BYTE);
      byte[] w = before.clone();
      w[0] = (byte) 0xc3;
      w[4] = (byte) 0xcc;
      assertArrayEquals(w, b);
    }
  }

  /** Room reserved for relocations holds them as added; adding past it grows; all are written. */
  @Test
  void reservedRelocationsAreWrittenAsAdded() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    Path out = dir.resolve("reserved.o");
    int n = 1000;
    try (ElfFile f = ElfFile.open(obj)) {
      Section text = f.section(".text");
      Symbol sym = f.sectionSymbol(text);
      Section data = f.addSection(".reserved_table", Elf.SHT_PROGBITS, Elf.SHF_ALLOC, 0, 8, new byte[8 * (n + 23)]);
      Relocations r = f.relocationsFor(data);
      for (int i = 0; i < 3; i++) r.add(8L * i, Elf.R_X86_64_64, sym, i);
      r.reserve(n);
      for (int i = 3; i < n + 23; i++) r.add(8L * i, Elf.R_X86_64_64, sym, i);
      assertThrows(IllegalArgumentException.class, () -> r.reserve(-1));
      f.write(out);
    }
    try (ElfFile g = ElfFile.open(out)) {
      Relocations r = g.section(".reserved_table").relocations();
      assertEquals(n + 23, r.count());
      for (int i = 0; i < n + 23; i++) {
        assertEquals(8L * i, r.offset(i));
        assertEquals(i, r.addend(i));
        assertEquals(Elf.R_X86_64_64, r.type(i));
        assertEquals(".text", r.symbol(i).section().name());
      }
    }
  }

  @Test
  void addedLocalSymbolTakesTheFirstGlobalSlotAndRelocationsFollow() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    Path out = dir.resolve("out.o");
    int firstGlobal;
    String movedName;
    java.util.List<String> before = relocationTargets(obj);
    try (ElfFile f = ElfFile.open(obj)) {
      firstGlobal = f.symtab().info();
      movedName = f.symbol(firstGlobal).name();
      Section text = f.section(".text");
      Symbol local = f.addSymbol("added_local", Elf.STB_LOCAL, Elf.STT_FUNC, 0, text, 0, 1);
      Symbol global = f.addSymbol("added_global", Elf.STB_GLOBAL, Elf.STT_NOTYPE, 0, null, 0, 0);
      assertEquals(firstGlobal, local.index());
      Section data = f.addSection(".added_table", Elf.SHT_PROGBITS, Elf.SHF_ALLOC, 0, 8, new byte[16]);
      Relocations r = f.relocationsFor(data);
      r.add(0, Elf.R_X86_64_64, local, 0);
      r.add(8, Elf.R_X86_64_64, global, 4);
      f.write(out);
    }
    try (ElfFile g = ElfFile.open(out)) {
      assertEquals(firstGlobal + 1, g.symtab().info());
      assertEquals("added_local", g.symbol(firstGlobal).name());
      assertEquals(movedName, g.symbol(g.symbols().size() - 2).name());
      for (Symbol s : g.symbols()) {
        assertEquals(s.index() < g.symtab().info(), s.isLocal(), s.name());
      }
      Relocations r = g.section(".added_table").relocations();
      assertEquals("added_local", r.symbol(0).name());
      assertEquals("added_global", r.symbol(1).name());
      assertEquals(4, r.addend(1));
    }
    // every relocation that was there still names the same symbol, the moved global included
    java.util.List<String> after = relocationTargets(out);
    assertEquals(before, after.subList(0, before.size()));
    String readelf = Fixtures.run("readelf", "-srW", out.toString());
    assertTrue(readelf.contains("added_local"));
    Fixtures.run("ld", "-r", "-o", dir.resolve("linked.o").toString(), out.toString());
  }

  /** "section[i] -> symbol" for every relocation, in section order. */
  private static java.util.List<String> relocationTargets(Path obj) {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (ElfFile f = ElfFile.open(obj)) {
      for (Section s : f.sections()) {
        if (!s.isRela()) continue;
        for (int i = 0; i < s.relocations().count(); i++) out.add(s.name() + "[" + i + "] -> " + s.relocations().symbol(i));
      }
    }
    return out;
  }

  @Test
  void replacedSectionDataMovesLaterSections() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    Path out = dir.resolve("grown.o");
    byte[] text;
    try (ElfFile f = ElfFile.open(obj)) {
      Section t = f.section(".text");
      text = t.data().toArray(ValueLayout.JAVA_BYTE);
      byte[] grown = new byte[text.length + 4096];
      System.arraycopy(text, 0, grown, 0, text.length);
      java.util.Arrays.fill(grown, text.length, grown.length, (byte) 0x90);
      t.setData(grown);
      f.write(out);
    }
    try (ElfFile g = ElfFile.open(out)) {
      byte[] t = g.section(".text").data().toArray(ValueLayout.JAVA_BYTE);
      assertEquals(text.length + 4096, t.length);
      assertArrayEquals(text, java.util.Arrays.copyOf(t, text.length));
      assertNotNull(g.symbol("sample_entry"));
    }
    Fixtures.run("objdump", "-dr", out.toString());
    Fixtures.run("ld", "-r", "-o", dir.resolve("linked.o").toString(), out.toString());
  }

  @Test
  void failedWriteLeavesNothingBehind() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    Path missingDir = dir.resolve("no/such/dir/out.o");
    try (ElfFile f = ElfFile.open(obj)) {
      ElfException e = assertThrows(ElfException.class, () -> f.write(missingDir));
      assertTrue(e.getMessage().startsWith(missingDir.toString() + ": cannot write"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
    assertFalse(Files.exists(missingDir));
  }

  /**
   * {@link ElfFile.Layout#REPACK} is libelf's layout, which the reference objtool's output has:
   * sections in index order at their alignment (NOBITS too, taking no room), zeros between them,
   * the section header table at the next 8-byte boundary; contents are those of the model.
   */
  @Test
  void repackLaysSectionsOutInIndexOrderAsLibelf() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    Path out = dir.resolve("repacked.o");
    java.util.Map<String, byte[]> contents = new java.util.HashMap<>();
    try (ElfFile f = ElfFile.open(obj)) {
      f.addSection(".added_aligned", Elf.SHT_PROGBITS, Elf.SHF_ALLOC, 0, 64, new byte[] {7, 7, 7});
      f.write(out, ElfFile.Layout.REPACK);
      for (Section s : f.sections()) {
        if (s.type() != Elf.SHT_NOBITS && s.index() != 0 && s.type() != Elf.SHT_SYMTAB
            && s.type() != Elf.SHT_RELA && s.type() != Elf.SHT_STRTAB) {
          contents.put(s.name(), s.data().toArray(ValueLayout.JAVA_BYTE));
        }
      }
    }
    byte[] bytes = Files.readAllBytes(out);
    try (ElfFile g = ElfFile.open(out)) {
      long cursor = 64;
      boolean sawNobits = false;
      for (Section s : g.sections()) {
        if (s.index() == 0) continue;
        long align = Math.max(1, s.addralign());
        long expected = (cursor + align - 1) / align * align;
        assertEquals(expected, s.fileOffset(), s.name());
        for (long b = cursor; b < expected; b++) assertEquals(0, bytes[(int) b], s.name() + ": padding at " + b);
        cursor = s.type() == Elf.SHT_NOBITS ? expected : expected + s.size();
        sawNobits |= s.type() == Elf.SHT_NOBITS;
        byte[] want = contents.get(s.name());
        if (want != null) assertArrayEquals(want, s.data().toArray(ValueLayout.JAVA_BYTE), s.name());
      }
      assertTrue(sawNobits, "the fixture has a .bss");
      assertEquals((cursor + 7) / 8 * 8, g.shoff());
      assertEquals(g.shoff() + 64L * g.sections().size(), bytes.length);
    }
  }
}
