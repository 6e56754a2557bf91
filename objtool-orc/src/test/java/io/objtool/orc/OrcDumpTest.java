package io.objtool.orc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.objtool.elf.ElfFile;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dump=orc} on objects built with gcc: every flag word, symbol and section names,
 * linked images, and malformed input. Each case is checked against the reference binary when it
 * is installed, and always against the text the reference was seen to print.
 */
class OrcDumpTest {
  private static final Oracles.Tally TALLY = Oracles.tally("orc-dump-cases", "--dump=orc cases (objtool 6.12 and 6.1)");
  @TempDir static Path dir;

  @BeforeAll
  static void gcc() {
    Oracles.require(Fixtures.haveGcc(), "gcc (Debian: gcc)");
  }

  private static Reference.Run expect(OrcFormat f, Path file, Reference.Run expected) {
    String shown = dir.relativize(file).toString();
    Reference.Run ours = Reference.ours(f, dir, shown);
    Path ref = Oracles.requireReference(f.version());
    Reference.Run theirs = Reference.reference(ref, dir, shown);
    TALLY.compare(() -> assertEquals(theirs, ours, "reference " + f.version() + " on " + shown));
    if (expected != null) assertEquals(expected, ours, f.version() + " on " + shown);
    return ours;
  }

  private static Reference.Run ok(String out) {
    return new Reference.Run(out, "", 0);
  }

  private static Reference.Run warn(String out, String file, String message) {
    return new Reference.Run(out, file + ": warning: objtool: " + message + "\n", OrcDumpCommand.FAILED);
  }

  private static Path asm(String name, String text) throws IOException {
    return Fixtures.compile(dir, name, text);
  }

  @Test
  void everyFlagWord() throws IOException {
    StringBuilder s = new StringBuilder(".text\n.globl f\nf:\n .fill 65536,1,0x90\n.section .orc_unwind_ip,\"a\"\n");
    for (int i = 0; i < 65536; i++) s.append(" .long f+").append(i).append("-.\n");
    s.append(".section .orc_unwind,\"a\"\n");
    for (int i = 0; i < 65536; i++) s.append(" .short ").append(i % 200 - 100).append(',').append(-(i % 50)).append(',').append(i).append('\n');
    Path o = asm("allflags.s", s.toString());
    String cur = expect(OrcFormat.CURRENT, o, null).out();
    String old = expect(OrcFormat.V6_1, o, null).out();
    List<String> c = cur.lines().toList();
    List<String> v = old.lines().toList();
    assertEquals(65536, c.size());
    // lines seen from objtool 6.12 and 6.1 on this object
    assertEquals("f+8:type:(und) sp:(bp-92) bp:(und) signal:0", c.get(0x8));
    assertEquals("f+90:type:(und) sp:(und) bp:(sp)-44 signal:0", c.get(0x90));
    assertEquals("f+400:type:regs (partial) sp:(und) bp:(und) signal:0", c.get(0x400));
    assertEquals("f+d00:type:? sp:(und) bp:(und) signal:1", c.get(0xd00));
    assertEquals("f+f:type:(und) sp:?-85 bp:(und) signal:0", c.get(0xf));
    assertEquals("f+2:type:(und) sp:dx-98 bp:(und) signal:0", c.get(0x2));
    assertEquals("f+300: sp:(und) bp:(und) type:? end:0", v.get(0x300));
    assertEquals("f+600: sp:(und) bp:(und) type:regs (partial) end:1", v.get(0x600));
    assertEquals("f+800: sp:(und) bp:(und) type:call end:0", v.get(0x800));
    assertEquals("f+70: sp:(und) bp:r13-12 type:call end:0", v.get(0x70));
  }

  @Test
  void symbolAndSectionNames() throws IOException {
    Path o = asm("names.s", """
        .text
        nop
        .Lx: nop
        .globl g
        g: ret
        .section .text.other,"ax"
        h: ret
        .section .orc_unwind_ip,"a"
        .long .Lx-.
        .long g+1-.
        .long h-.
        .long ext-.
        .long .text-.
        .section .orc_unwind,"a"
        .short 8,0,0x205
        .short 16,-16,0x215
        .short -8,0,0x249
        .short 0,0,0x100
        .short 0,0,0
        """);
    expect(OrcFormat.CURRENT, o, ok("""
        .text+1:type:call sp:sp+8 bp:(und) signal:0
        g+1:type:call sp:sp+16 bp:prevsp-16 signal:0
        .text.other+0:type:call sp:(sp)-8 bp:bp+0 signal:0
        ext+0:type:end sp:(und) bp:(und) signal:0
        .text+0:type:(und) sp:(und) bp:(und) signal:0
        """));
    expect(OrcFormat.V6_1, o, ok("""
        .text+1: sp:sp+8 bp:(und) type:regs (partial) end:0
        g+1: sp:sp+16 bp:prevsp-16 type:regs (partial) end:0
        .text.other+0: sp:(sp)-8 bp:bp+0 type:regs (partial) end:0
        ext+0: sp:(und) bp:(und) type:regs end:0
        .text+0: sp:(und) bp:(und) type:call end:0
        """));
  }

  private static final String LINKED = """
      .text
      .globl _start
      _start: nop
      .globl a
      a: nop
      nop
      .globl b
      b: ret
      .section .orc_unwind_ip,"a"
      .long _start-.
      .long a-.
      .long b-.
      .long b+1-.
      .section .orc_unwind,"a"
      .short 8,0,0x205
      .short 16,-16,0x215
      .short 16,-16,0x214
      .short 0,0,0
      """;

  @Test
  void linkedImagesPrintAddresses() throws IOException {
    Path o = asm("linked.s", LINKED);
    for (String kind : List.of("exec", "dyn")) {
      Path img = dir.resolve("linked-" + kind);
      if (kind.equals("exec")) Fixtures.link(img, List.of(o), "-nostdlib", "-static", "-no-pie");
      else Fixtures.link(img, List.of(o), "-nostdlib", "-pie", "-Wl,-z,notext");
      String a, b, s;
      try (ElfFile f = ElfFile.open(img)) {
        s = Long.toHexString(f.symbol("_start").value());
        a = Long.toHexString(f.symbol("a").value());
        b = Long.toHexString(f.symbol("b").value());
      }
      String b1 = Long.toHexString(Long.parseLong(b, 16) + 1);
      expect(OrcFormat.CURRENT, img, ok(s + ":type:call sp:sp+8 bp:(und) signal:0\n"
          + a + ":type:call sp:sp+16 bp:prevsp-16 signal:0\n"
          + b + ":type:call sp:bp+16 bp:prevsp-16 signal:0\n"
          + b1 + ":type:(und) sp:(und) bp:(und) signal:0\n"));
      expect(OrcFormat.V6_1, img, null);
      // stripped of its symbol table, the reference prints nothing
      Path stripped = dir.resolve("stripped-" + kind);
      Fixtures.run(List.of("strip", "-o", stripped.toString(), img.toString()));
      expect(OrcFormat.CURRENT, stripped, ok(""));
    }
  }

  @Test
  void missingAndNonElfFiles() throws IOException {
    Path missing = dir.resolve("missing.o");
    for (OrcFormat f : OrcFormat.values()) {
      expect(f, missing, new Reference.Run("", "open: No such file or directory\n", OrcDumpCommand.FAILED));
    }
    Path sub = Files.createDirectories(dir.resolve("adir"));
    for (OrcFormat f : OrcFormat.values()) expect(f, sub, warn("", "adir", "elf_begin: invalid file descriptor"));
    Path text = Files.writeString(dir.resolve("text.o"), "hello\n");
    Path zeros = Files.write(dir.resolve("zeros.o"), new byte[200]);
    byte[] shortElf = new byte[40];
    shortElf[0] = 0x7f;
    shortElf[1] = 'E';
    shortElf[2] = 'L';
    shortElf[3] = 'F';
    shortElf[4] = 2;
    Path shortHeader = Files.write(dir.resolve("short.o"), shortElf);
    for (Path p : List.of(text, zeros, shortHeader)) {
      String n = p.getFileName().toString();
      expect(OrcFormat.CURRENT, p, warn("", n, "elf64_getehdr: invalid `Elf' handle"));
      expect(OrcFormat.V6_1, p, warn("", n, "elf_getshdrnum: invalid `Elf' handle"));
    }
    Path empty = Files.write(dir.resolve("empty.o"), new byte[0]);
    expect(OrcFormat.CURRENT, empty, warn("", "empty.o", "elf64_getehdr: invalid `Elf' handle"));
  }

  @Test
  void elf32AndTruncatedFiles() throws IOException {
    Path o = asm("plain.s", ".text\nf: nop\n");
    byte[] b = Files.readAllBytes(o);
    byte[] c32 = b.clone();
    c32[4] = 1; // ELFCLASS32
    Path class32 = Files.write(dir.resolve("class32.o"), c32);
    expect(OrcFormat.CURRENT, class32, warn("", "class32.o", "elf64_getehdr: invalid binary class"));
    Path trunc = Files.write(dir.resolve("trunc.o"), java.util.Arrays.copyOf(b, 100));
    for (OrcFormat f : OrcFormat.values()) expect(f, trunc, ok(""));
    for (OrcFormat f : OrcFormat.values()) expect(f, o, ok(""));
  }

  @Test
  void malformedOrcSections() throws IOException {
    Path badSize = asm("badsize.s", """
        .text
        f: nop
        .section .orc_unwind_ip,"a"
        .long f-.
        .section .orc_unwind,"a"
        .short 8,0,0x205
        .byte 1
        """);
    for (OrcFormat f : OrcFormat.values()) expect(f, badSize, warn("", "badsize.o", "bad .orc_unwind section size"));
    Path fewRelocs = asm("fewrelocs.s", """
        .text
        nop
        .Lx: nop
        .section .orc_unwind_ip,"a"
        .long .Lx-.
        .long 0
        .section .orc_unwind,"a"
        .short 8,0,0x205
        .short 0,0,0
        """);
    expect(OrcFormat.CURRENT, fewRelocs,
        warn(".text+1:type:call sp:sp+8 bp:(und) signal:0\n", "fewrelocs.o", "gelf_getrela: invalid section index"));
    expect(OrcFormat.V6_1, fewRelocs,
        warn(".text+1: sp:sp+8 bp:(und) type:regs (partial) end:0\n", "fewrelocs.o", "gelf_getrela: invalid section index"));
    Path noOrc = asm("noorc.s", ".text\nf: nop\n.section .orc_unwind_ip,\"a\"\n.long f-.\n");
    Path noIp = asm("noip.s", ".text\nf: nop\n.section .orc_unwind,\"a\"\n.short 8,0,0x205\n");
    Path emptyOrc = asm("emptyorc.s", ".text\nf: nop\n.section .orc_unwind_ip,\"a\"\n.long f-.\n.section .orc_unwind,\"a\"\n");
    for (Path p : List.of(noOrc, noIp, emptyOrc)) for (OrcFormat f : OrcFormat.values()) expect(f, p, ok(""));
    Path raw = asm("raw.s", """
        .text
        f: nop
        .section .orc_unwind_ip,"a"
        .long 0x10
        .long -4
        .long -0x100
        .section .orc_unwind,"a"
        .short 8,0,0x205
        .short 8,0,0x205
        .short 8,0,0x205
        """);
    expect(OrcFormat.CURRENT, raw, ok("10:type:call sp:sp+8 bp:(und) signal:0\n"
        + "0:type:call sp:sp+8 bp:(und) signal:0\n"
        + "ffffffffffffff08:type:call sp:sp+8 bp:(und) signal:0\n"));
    Path moreIps = asm("moreips.s", """
        .text
        f: nop
        .section .orc_unwind_ip,"a"
        .long f-.
        .long f-.
        .section .orc_unwind,"a"
        .short 8,0,0x205
        """);
    expect(OrcFormat.CURRENT, moreIps, ok(".text+0:type:call sp:sp+8 bp:(und) signal:0\n"));
  }
}
