package io.objtool.elf.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.ElfFile;
import io.objtool.elf.Section;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The line table against binutils' {@code addr2line -j SECTION}: for every byte of every code
 * section of objects gcc compiles with {@code -g} (C at {@code -O2} with one section per function,
 * and assembly), the same file and line, or no line where addr2line has none.
 */
class LineTableTest {
  @TempDir Path dir;

  private static final String C = """
      struct s { int a, b; };
      extern int ext(int);
      static int helper(int x) {
        if (x > 3)
          return ext(x) + 1;
        return x * 2;
      }
      int first(struct s *p) {
        int t = 0;
        for (int i = 0; i < p->a; i++)
          t += helper(i);
        return t;
      }
      int second(int x) {
        switch (x) {
        case 1: return ext(5);
        case 2: return ext(7) * 3;
        default: return helper(x);
        }
      }
      """;

  private static final String ASM = """
      	.text
      	.globl	f
      	.type	f, @function
      f:
      	push	%rbx
      	mov	%rdi, %rbx
      	call	g
      	pop	%rbx
      	ret
      	.size	f, .-f
      	.section .text.other, "ax"
      	.globl	h
      	.type	h, @function
      h:
      	nop
      	ret
      	.size	h, .-h
      """;

  @ParameterizedTest
  @ValueSource(strings = {"-gdwarf-5", "-gdwarf-4"})
  void cLinesAreAddr2lines(String dwarf) throws Exception {
    Path obj = compile("t.c", C, dwarf, "-O2", "-ffunction-sections");
    int compared = compareAll(obj, dwarf.equals("-gdwarf-4"));
    assertTrue(compared > 50, "compared " + compared + " addresses");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-gdwarf-5", "-gdwarf-4"})
  void assemblyLinesAreAddr2lines(String dwarf) throws Exception {
    Path obj = compile("t.s", ASM, dwarf);
    int compared = compareAll(obj, dwarf.equals("-gdwarf-4"));
    assertTrue(compared >= 10, "compared " + compared + " addresses");
    try (ElfFile elf = ElfFile.open(obj)) {
      LineTable t = LineTable.of(elf);
      LineTable.SourceLine l = t.find(elf.section(".text.other"), 0);
      assertEquals(15, l.line(), "h's nop is on line 15");
      assertTrue(l.file().endsWith("t.s"), l.file());
    }
  }

  @Test
  void noDebugInformationIsAnEmptyTable() throws Exception {
    Path obj = compile("t.c", C, "-g0", "-O2");
    try (ElfFile elf = ElfFile.open(obj)) {
      LineTable t = LineTable.of(elf);
      assertTrue(t.isEmpty());
      assertNull(t.find(elf.section(".text"), 0));
    }
  }

  @Test
  void aTruncatedProgramKeepsWhatWasRead() throws Exception {
    Path obj = compile("t.c", C, "-gdwarf-5", "-O2", "-ffunction-sections");
    // cut .debug_line short in place: the reader must not fail, whatever it still finds
    byte[] bytes = Files.readAllBytes(obj);
    long off, size;
    try (ElfFile elf = ElfFile.open(obj)) {
      Section s = elf.section(".debug_line");
      off = s.fileOffset();
      size = s.size();
    }
    for (long i = off + size / 2; i < off + size; i++) bytes[(int) i] = (byte) 0xff;
    Path cut = dir.resolve("cut.o");
    Files.write(cut, bytes);
    try (ElfFile elf = ElfFile.open(cut)) {
      LineTable t = LineTable.of(elf);
      for (Section s : elf.sections()) if (s.isExecutable()) for (long a = 0; a < s.size(); a++) t.find(s, a);
    }
  }

  /** Every byte of every code section, ours against addr2line; returns how many had a line. */
  private int compareAll(Path obj, boolean relativeNames) throws Exception {
    int withLine = 0;
    try (ElfFile elf = ElfFile.open(obj)) {
      LineTable t = LineTable.of(elf);
      for (Section s : elf.sections()) {
        if (!s.isExecutable() || s.size() == 0) continue;
        List<String> cmd = new ArrayList<>(List.of("addr2line", "-e", obj.toString(), "-j", s.name()));
        for (long a = 0; a < s.size(); a++) cmd.add("0x" + Long.toHexString(a));
        List<String> theirs = run(cmd).lines().toList();
        assertEquals(s.size(), theirs.size(), "addr2line's lines for " + s.name());
        for (int a = 0; a < theirs.size(); a++) {
          String want = theirs.get(a).replaceFirst(" \\(discriminator \\d+\\)$", "");
          LineTable.SourceLine got = t.find(s, a);
          String where = s.name() + "+0x" + Integer.toHexString(a);
          if (want.startsWith("??:")) {
            assertNull(got, where + ": addr2line has no line, ours " + got);
            continue;
          }
          int colon = want.lastIndexOf(':');
          String file = want.substring(0, colon);
          int line = Integer.parseInt(want.substring(colon + 1));
          assertTrue(got != null, where + ": ours has no line, addr2line " + want);
          assertEquals(line, got.line(), where);
          if (relativeNames) assertTrue(file.endsWith("/" + got.file()) || file.equals(got.file()), where + ": " + file + " vs " + got.file());
          else assertEquals(file, got.file(), where);
          withLine++;
        }
      }
    }
    return withLine;
  }

  private Path compile(String name, String text, String... flags) throws Exception {
    Path src = dir.resolve(name);
    Files.writeString(src, text);
    Path obj = dir.resolve(name + ".o");
    List<String> cmd = new ArrayList<>(List.of("gcc", "-c"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    run(cmd);
    return obj;
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), cmd.get(0) + ": " + out);
    return out;
  }
}
