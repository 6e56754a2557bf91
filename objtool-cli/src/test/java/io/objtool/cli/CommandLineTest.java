package io.objtool.cli;

import io.objtool.api.Options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the parser stores in {@link Options}: visible to the passes, not to the reference. */
class CommandLineTest {
  static Options parse(String env, String... args) throws Exception {
    return CommandLine.parse(List.of(args), env);
  }

  @Test
  void flagsAndFile() throws Exception {
    Options o = parse(null, "--orc", "--link", "--module", "x.ko");
    assertTrue(o.orc() && o.link() && o.module());
    assertFalse(o.stackval() || o.verbose() || o.dumpOrc());
    assertEquals(Path.of("x.ko"), o.objectFile());
  }

  @Test
  void hacksAccumulateAndDefaultToAll() throws Exception {
    Options o = parse(null, "--hacks=jump_label", "--hacks=skylake", "x.o");
    assertTrue(o.hackJumpLabel() && o.hackSkylake());
    assertFalse(o.hackNoinstr());
    Options all = parse(null, "--hacks", "x.o");
    assertTrue(all.hackJumpLabel() && all.hackNoinstr() && all.hackSkylake());
    Options negated = parse(null, "--no-hacks", "x.o");
    assertTrue(negated.hackJumpLabel() && negated.hackNoinstr() && negated.hackSkylake());
  }

  @Test
  void prefixForms() throws Exception {
    assertEquals(16, parse(null, "--orc", "--prefix=16", "x.o").prefix());
    assertEquals(16, parse(null, "--orc", "--prefix", "16", "x.o").prefix());
    assertEquals(-1, parse(null, "--orc", "--pre=-1", "x.o").prefix());
    assertEquals(5, parse(null, "--orc", "--prefix= +5", "x.o").prefix());
    assertEquals(0, parse(null, "--orc", "--prefix=9", "--no-prefix", "x.o").prefix());
    assertEquals(0, parse(null, "--orc", "--prefix=", "x.o").prefix());
    // strtol saturates at LONG_MAX, and the int keeps the low 32 bits of it.
    assertEquals(-1, parse(null, "--orc", "--prefix=99999999999999999999", "x.o").prefix());
  }

  @Test
  void clustersAbbreviationsNegations() throws Exception {
    Options o = parse(null, "-osv", "--no-unreachable", "--unreachab", "--sec", "x.o");
    assertTrue(o.orc() && o.stackval() && o.verbose() && o.secAddress());
    assertFalse(o.noUnreachable());
    assertTrue(parse(null, "--orc", "--no-unreachable", "x.o").noUnreachable());
    assertFalse(parse(null, "--orc", "--no-unreachable", "--unreachable", "x.o").noUnreachable());
    assertFalse(parse(null, "--orc", "--stats", "--no-stats", "x.o").stats());
  }

  @Test
  void environmentComesFirstAndCommandLineWins() throws Exception {
    Options o = parse("  --backup  --stats ", "--orc", "--no-stats", "x.o");
    assertTrue(o.backup());
    assertFalse(o.stats());
    assertTrue(parse("--orc", "x.o").orc());
    assertThrows(UsageExit.class, () -> parse("x.o", "--orc"));
  }

  @Test
  void dumpIsItsOwnMode() throws Exception {
    Options d = parse(null, "--dump", "--cfi", "--prefix=3", "x.o");
    assertTrue(d.isDump() && d.cfi());
    CommandLine.Invalid e = assertThrows(CommandLine.Invalid.class, () -> parse(null, "--dump", "--orc", "x.o"));
    assertEquals("--dump can't be combined with other actions", e.getMessage());
  }

  @Test
  void strtolRules() {
    assertEquals(0L, CNumbers.strtol10(""));
    assertEquals(12L, CNumbers.strtol10(" \t12"));
    assertNull(CNumbers.strtol10(" "));
    assertNull(CNumbers.strtol10("+"));
    assertNull(CNumbers.strtol10("12 "));
    assertNull(CNumbers.strtol10("0x10"));
    assertEquals(Long.MIN_VALUE, CNumbers.strtol10("-99999999999999999999"));
  }

  @Test
  void usageLineLayout() {
    assertEquals("    -o, --orc             generate ORC metadata\n",
        OptionSpec.flag('o', "orc", "generate ORC metadata").usageLine());
    assertEquals("    -h, --hacks[=<jump_label,noinstr,skylake>]\n                          patch\n",
        OptionSpec.optionalArg('h', "hacks", "jump_label,noinstr,skylake", "patch").usageLine());
  }

  @Test
  void linkedObjectsAreDetectedByTheirFileSymbols(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Fixtures.populate(dir);
    try (var elf = io.objtool.elf.ElfFile.open(dir.resolve("linked.o"))) {
      assertEquals(2, Main.sourceFiles(elf));
    }
    try (var elf = io.objtool.elf.ElfFile.open(dir.resolve("obj.o"))) {
      assertEquals(0, Main.sourceFiles(elf));
    }
  }

  @Test
  void noStackTraceForBrokenInput(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    byte[] elf = Fixtures.relocatable(0);
    for (int cut : new int[] {70, 200, elf.length - 10}) {
      Path p = dir.resolve("cut" + cut + ".o");
      java.nio.file.Files.write(p, java.util.Arrays.copyOf(elf, cut));
      Fixtures.Outcome o = Fixtures.runOurs(List.of("--orc", p.toString()), null);
      assertEquals(1, o.exit(), o.toString());
      assertEquals(1, o.stderr().lines().count(), o.toString());
      assertFalse(o.stderr().contains("\tat "), o.stderr());
    }
  }
}
