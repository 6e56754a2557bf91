package io.objtool.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading gcc-made objects, cross-checked against jelf (an independent ELF reader) and readelf. */
class ElfFileTest {
  @TempDir Path dir;

  @Test
  void sectionsAndSymbolsAgreeWithJelf() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    net.fornwall.jelf.ElfFile ref = net.fornwall.jelf.ElfFile.from(obj.toFile());
    try (ElfFile f = ElfFile.open(obj)) {
      assertEquals(Elf.ET_REL, f.type());
      assertEquals(ref.e_shnum, f.sections().size());
      for (Section s : f.sections()) {
        net.fornwall.jelf.ElfSectionHeader h = ref.getSection(s.index()).header;
        assertEquals(h.getName() == null ? "" : h.getName(), s.name(), "name of section " + s.index());
        assertEquals(h.sh_type, s.type(), s.name());
        assertEquals(h.sh_offset, s.fileOffset(), s.name());
        assertEquals(h.sh_size, s.size(), s.name());
        assertEquals(h.sh_flags, s.flags(), s.name());
        assertEquals(h.sh_link, s.link(), s.name());
        assertEquals(h.sh_info, s.info(), s.name());
      }
      net.fornwall.jelf.ElfSymbol[] syms = ref.getSymbolTableSection().symbols;
      assertEquals(syms.length, f.symbols().size());
      for (int i = 0; i < syms.length; i++) {
        Symbol s = f.symbol(i);
        String name = syms[i].getName();
        assertEquals(name == null ? "" : name, s.name(), "symbol " + i);
        assertEquals(syms[i].st_value, s.value());
        assertEquals(syms[i].st_size, s.size());
        assertEquals(syms[i].st_info, s.info());
        assertEquals(syms[i].st_shndx & 0xffff, s.sectionIndex());
      }
    }
  }

  /**
   * A section whose type is SHT_NULL still has its file bytes, as libelf reads them (the reference
   * then parses them: a {@code .discard.unwind_hints} of type SHT_NULL gets its hints checked), and
   * the same bounds as any other section.
   */
  @Test
  void shtNullSectionKeepsItsBytes() throws Exception {
    byte[] bytes = java.nio.file.Files.readAllBytes(Fixtures.compile(dir, "sample.c"));
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int text;
    byte[] expected;
    try (ElfFile f = ElfFile.parse(Path.of("sample.o"), bytes.clone())) {
      Section t = f.section(".text");
      text = t.index();
      expected = t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
    assertTrue(expected.length > 0);
    int hdr = (int) (b.getLong(40) + 64L * text);
    b.putInt(hdr + 4, Elf.SHT_NULL);
    try (ElfFile f = ElfFile.parse(Path.of("null-type.o"), bytes.clone())) {
      Section t = f.section(text);
      assertEquals(Elf.SHT_NULL, t.type());
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected, t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }
    b.putLong(hdr + 24, bytes.length - 2); // sh_offset: its bytes now run past the end of the file
    ElfException e = org.junit.jupiter.api.Assertions.assertThrows(ElfException.class,
        () -> ElfFile.parse(Path.of("null-type.o"), bytes.clone()).close());
    assertTrue(e.getMessage().contains("extends past the end of the file"), e.getMessage());
  }

  @Test
  void lookupsBySymbolOffsetAndRelocation() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    try (ElfFile f = ElfFile.open(obj)) {
      Symbol entry = f.symbol("sample_entry");
      assertNotNull(entry);
      assertTrue(entry.isFunction() && entry.isGlobal());
      Section text = entry.section();
      assertEquals(entry, f.functionContaining(text, entry.offset() + entry.size() - 1));
      assertEquals(entry, text.symbols().functionAt(entry.offset()));
      assertNull(f.functionContaining(text, entry.end()) == entry ? entry : null);
      Symbol helper = f.symbol("helper");
      assertNotNull(helper);
      assertTrue(helper.isLocal());
      assertEquals(helper, f.functionContaining(text, helper.offset()));
      assertNull(f.symbol("external_call").section());
      assertTrue(f.symbol("external_call").isUndefined());

      // every relocation of .text is found by the range lookup, and only inside its 4 bytes
      Relocations r = text.relocations();
      assertNotNull(r);
      assertEquals(".rela" + text.name(), r.section().name());
      for (int i = 0; i < r.count(); i++) {
        assertEquals(r.offset(i), r.offset(r.find(r.offset(i) - 3, 4)));
        assertEquals(i, r.at(r.offset(i)));
      }
      assertEquals(-1, r.find(0, 0));
      boolean callSeen = false;
      for (int i = 0; i < r.count(); i++) {
        if (r.symbol(i).name().equals("external_call")) {
          callSeen = true;
          assertEquals(Elf.R_X86_64_PLT32, r.type(i));
          assertEquals(-4, r.addend(i));
        }
      }
      assertTrue(callSeen);
      Section table = f.section(".data.rel.ro");
      Relocations tr = table == null ? f.section(".data.rel.ro.local").relocations() : table.relocations();
      assertNotNull(tr);
      assertEquals(Elf.R_X86_64_64, tr.type(0));
    }
  }

  @Test
  void relocationsMatchReadelf() throws Exception {
    Path obj = Fixtures.compile(dir, "sample.c");
    String readelf = Fixtures.run("readelf", "-rW", obj.toString());
    try (ElfFile f = ElfFile.open(obj)) {
      int total = 0;
      for (Section s : f.sections()) {
        if (!s.isRela()) continue;
        Relocations r = s.relocations();
        total += r.count();
        for (int i = 0; i < r.count(); i++) {
          String off = String.format("%016x", r.offset(i));
          assertTrue(readelf.contains(off), "offset " + off + " of " + s.name());
        }
      }
      long lines = readelf.lines().filter(l -> l.matches("^[0-9a-f]{16} .*")).count();
      assertEquals(lines, total);
    }
  }

  @Test
  void comdatGroupMembers() throws Exception {
    Path obj = Fixtures.compile(dir, "group.s");
    try (ElfFile f = ElfFile.open(obj)) {
      Section group = null;
      for (Section s : f.sections()) if (s.type() == Elf.SHT_GROUP) group = s;
      assertNotNull(group);
      assertEquals(1, f.groupFlags(group)); // GRP_COMDAT
      List<Section> members = f.groupMembers(group);
      assertTrue(members.stream().anyMatch(s -> s.name().equals(".text.shared_thunk")));
      assertEquals("shared_thunk", f.symbol(group.info()).name());
    }
  }

  @Test
  void dynamicallyLinkedExecutable() throws Exception {
    Path src = dir.resolve("dyn.c");
    java.nio.file.Files.writeString(src, "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
    Path exe = dir.resolve("dyn");
    Fixtures.run("gcc", "-O2", src.toString(), "-o", exe.toString());
    try (ElfFile f = ElfFile.open(exe)) {
      assertTrue(f.type() == Elf.ET_DYN || f.type() == Elf.ET_EXEC);
      assertNotNull(f.section(".rela.dyn"));
      assertNull(f.section(".rela.dyn").relocations()); // for the dynamic linker: left as data
      Symbol main = f.symbol("main");
      assertNotNull(main);
      // in a linked image symbol values are addresses, and lookups take addresses
      assertEquals("main", f.functionContaining(main.section(), main.value() + 1).name());
    }
  }
}
