package io.objtool.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An object with more than 65,535 sections, made by gcc with {@code -fdata-sections
 * -ffunction-sections}: {@code e_shnum == 0}, {@code e_shstrndx == SHN_XINDEX} and symbols whose
 * section index lives in {@code .symtab_shndx}.
 */
class ExtendedNumberingTest {
  static final int VARS = 65_600;
  static final int FUNCS = 50;
  @TempDir static Path dir;
  static Path obj;

  @BeforeAll
  static void build() throws Exception {
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < VARS; i++) c.append("int v").append(i).append(" = ").append(i).append(";\n");
    for (int i = 0; i < FUNCS; i++) {
      c.append("int f").append(i).append("(void) { return v").append(VARS - 1 - i).append("; }\n");
    }
    Path src = dir.resolve("many.c");
    Files.writeString(src, c);
    obj = Fixtures.compileFile(src, "-O0", "-fdata-sections", "-ffunction-sections");
  }

  @Test
  void readsExtendedHeaderFieldsAndShndx() throws Exception {
    byte[] raw = Files.readAllBytes(obj);
    assertEquals(0, (raw[60] & 0xff) | (raw[61] & 0xff) << 8, "gcc wrote e_shnum = 0");
    try (ElfFile f = ElfFile.open(obj)) {
      assertTrue(f.sections().size() > 0xffff, "sections: " + f.sections().size());
      assertEquals(".shstrtab", f.shstrtab().name());
      assertTrue(f.shstrtab().index() >= Elf.SHN_LORESERVE);
      Symbol last = f.symbol("f" + (FUNCS - 1));
      assertNotNull(last);
      assertTrue(last.sectionIndex() >= Elf.SHN_LORESERVE, "f49 in section " + last.sectionIndex());
      assertEquals(".text.f" + (FUNCS - 1), last.section().name());
      Symbol v = f.symbol("v" + (VARS - 1));
      assertEquals(".data.v" + (VARS - 1), v.section().name());
      // a relocation in a high section against a symbol in another high section
      Relocations r = last.section().relocations();
      assertNotNull(r);
      assertEquals("v" + (VARS - FUNCS), r.symbol(0).name());
      assertEquals(last, f.functionContaining(last.section(), 0));
    }
  }

  @Test
  void unmodifiedWriteIsIdentical() throws Exception {
    Path out = dir.resolve("copy.o");
    try (ElfFile f = ElfFile.open(obj)) {
      f.write(out);
    }
    assertArrayEquals(Files.readAllBytes(obj), Files.readAllBytes(out));
  }

  @Test
  void addingToAHighSectionKeepsTheObjectLinkable() throws Exception {
    Path out = dir.resolve("grown.o");
    try (ElfFile f = ElfFile.open(obj)) {
      Section high = f.symbol("f0").section();
      Section added = f.addSection(".objtool_test", Elf.SHT_PROGBITS, Elf.SHF_ALLOC, 0, 8, new byte[8]);
      assertTrue(added.index() > 0xffff);
      Symbol local = f.addSymbol("test_local", Elf.STB_LOCAL, Elf.STT_OBJECT, 0, added, 0, 8);
      f.relocationsFor(added).add(0, Elf.R_X86_64_64, f.sectionSymbol(high), 0);
      f.relocationsFor(high).add(0, Elf.R_X86_64_64, local, 0);
      f.write(out);
    }
    try (ElfFile g = ElfFile.open(out)) {
      Section added = g.section(".objtool_test");
      assertEquals(".rela.objtool_test", added.rela().name());
      Symbol local = g.symbol("test_local");
      assertEquals(added, local.section());
      assertTrue(local.isLocal() && local.index() < g.symtab().info());
      assertEquals(".text.f0", added.relocations().symbol(0).section().name());
    }
    Fixtures.run("ld", "-r", "-o", dir.resolve("linked.o").toString(), out.toString());
  }
}
