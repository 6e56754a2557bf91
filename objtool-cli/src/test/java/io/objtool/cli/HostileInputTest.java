package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile objects, generated as assembly at test time: relocation storms, a jump table pointing
 * at every byte, thousands of alternatives for one site, alternatives nested hundreds deep. Each
 * runs through the whole command line with every action on (the three flag sets of the check
 * fuzz target), as does a real module for comparison, and must end with an exit status and one-line messages, allocating no more than
 * {@value #ALLOC_PER_BYTE} bytes per byte of input (plus 64 MiB) in well under a minute.
 */
class HostileInputTest {
  /**
   * Bytes the whole run may allocate per byte of the object: af_key.ko takes 19-27 (measured here,
   * 2026-12-01), the hostile objects 2-50; the limit is four times the worst.
   */
  static final long ALLOC_PER_BYTE = 200;
  static final long SECONDS = 60;

  @TempDir Path dir;

  private static String source(String kind) {
    StringBuilder s = new StringBuilder("\t.text\n\t.globl f\n\t.type f, @function\nf:\n");
    switch (kind) {
      case "relocation-storm" -> {
        // 40,000 relocations on the same four bytes of one call
        s.append("\tcall g\n\tret\n\t.size f, .-f\n\t.globl g\n\t.type g, @function\ng:\n\tret\n\t.size g, .-g\n");
        for (int i = 0; i < 40_000; i++) s.append("\t.reloc f+1, R_X86_64_PLT32, g-4\n");
      }
      case "jump-table-everywhere" -> {
        // an indirect jump through a table of 6,000 entries to every one of 1,000 instructions, in
        // scattered order (a table stops at its first entry that is not an instruction)
        s.append("\tjmp *.Ltab(,%rdi,8)\n1:\n\t.rept 1000\n\tmovl $1, %eax\n\t.endr\n\tret\n\t.size f, .-f\n");
        s.append("\t.section .rodata\n\t.align 8\n.Ltab:\n");
        for (int i = 0; i < 6_000; i++) s.append("\t.quad 1b+").append(5 * ((i * 7919) % 1000)).append('\n');
      }
      case "many-alternatives" -> {
        // 3,000 alternatives for one 15-byte site
        s.append("661:\t.skip 15, 0x90\n662:\n\tret\n\t.size f, .-f\n");
        for (int i = 0; i < 3_000; i++) {
          s.append("\t.section .altinstr_replacement, \"ax\"\n")
              .append("r").append(i).append(":\tpush %rax\n\tpop %rax\n\t.skip ").append(i % 13).append(", 0x90\n")
              .append("e").append(i).append(":\n")
              .append("\t.section .altinstructions, \"a\"\n\t.long 661b - .\n\t.long r").append(i).append(" - .\n")
              .append("\t.long ").append(0x100 + i % 64).append("\n\t.byte 15\n\t.byte e").append(i).append(" - r").append(i).append('\n');
        }
      }
      case "nested-alternatives" -> {
        // 600 levels: each replacement holds the site the next alternative replaces
        s.append("a0:\t.skip 8, 0x90\n\tret\n\t.size f, .-f\n");
        for (int i = 0; i < 600; i++) {
          s.append("\t.section .altinstr_replacement, \"ax\"\n")
              .append("a").append(i + 1).append(":\t.skip 8, 0x90\n")
              .append("z").append(i + 1).append(":\n")
              .append("\t.section .altinstructions, \"a\"\n\t.long a").append(i).append(" - .\n\t.long a").append(i + 1).append(" - .\n")
              .append("\t.long 0x100\n\t.byte 8\n\t.byte z").append(i + 1).append(" - a").append(i + 1).append('\n');
        }
      }
      default -> throw new IllegalArgumentException(kind);
    }
    return s.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"relocation-storm", "jump-table-everywhere", "many-alternatives", "nested-alternatives",
      "6.12/stripped/net/key/af_key.ko"})
  void staysWithinItsBounds(String kind) throws Exception {
    Path obj = dir.resolve(Path.of(kind).getFileName() + ".o");
    if (kind.endsWith(".ko")) { // a real module, for comparison
      Files.copy(io.objtool.testkit.Oracles.requireCorpusFile(kind), obj);
    } else {
      Path src = dir.resolve(kind + ".s");
      Files.writeString(src, source(kind));
      ServerHarness.compile(src, obj);
    }
    byte[] original = Files.readAllBytes(obj);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (List<String> flags : CheckFuzzTest.FLAG_SETS) {
      Files.write(obj, original);
      List<String> args = new ArrayList<>(flags);
      args.add(obj.toString());
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      long before = mx.getTotalThreadAllocatedBytes();
      long t0 = System.nanoTime();
      int rc;
      try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
           PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
        rc = Main.create(getClass().getClassLoader(), WarningListener.NONE, RunContext.inProcess(Map.of()))
            .runUnguarded(args, Map.of(), o, e, new Path[1]);
      }
      long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
      long allocated = mx.getTotalThreadAllocatedBytes() - before;
      String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
      String what = kind + " " + flags + ": exit " + rc + ", " + lines.length + " lines (" + lines[0] + "), "
          + original.length + " bytes in, " + allocated
          + " bytes allocated (" + allocated / original.length + " per byte), " + seconds + " s";
      System.out.println("hostile " + what);
      assertTrue(rc == 0 || rc == 1 || rc == CheckAction.WRITE_FAILED, what);
      for (String line : lines) {
        assertTrue(!line.contains("internal error") && !line.contains("Exception"), what + ": " + line);
      }
      assertTrue(allocated <= ALLOC_PER_BYTE * original.length + (64L << 20), what);
      assertTrue(seconds < SECONDS, what);
    }
  }
}
