package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relocations to a symbol that lives in no section ({@code SHN_ABS}, {@code SHN_COMMON}) from
 * every place objtool follows relocations: the annotation sections, the special sections, calls,
 * jumps, jump tables and data. The reference objtool gives such a symbol its section 0, which has
 * no instructions; ours has no section for it and must behave the same: the same stdout, stderr,
 * exit status and file, under the three flag sets of the check fuzz target. (The fuzz stage found
 * {@code STACK_FRAME_NON_STANDARD} on an absolute function to be an internal error.) The objects
 * are assembled at test time and the symbol then moved out of its section.
 */
class OutsideSectionSymbolsTest {
  private static final Oracles.Tally TALLY = Oracles.tally("outside-section-symbols",
      "relocations to SHN_ABS/SHN_COMMON symbols from each place objtool reads (stdout, stderr, exit, file; objtool 6.12)");

  /** Where {@code foo} is referred to from: a name and the assembly that refers to it. */
  private static final String[][] PLACES = {
    {"stack-frame-non-standard", ".section .discard.func_stack_frame_non_standard, \"aw\"\n.quad foo\n"},
    {"noendbr", ".section .discard.noendbr, \"aw\"\n.long foo\n"},
    {"retpoline-safe", ".section .discard.retpoline_safe, \"aw\"\n.long foo\n"},
    {"instr-begin-end", ".section .discard.instr_begin, \"aw\"\n.long foo\n.section .discard.instr_end, \"aw\"\n.long foo\n"},
    {"intra-function-call", ".section .discard.intra_function_calls, \"aw\"\n.long foo\n"},
    {"ignore-alts", ".section .discard.ignore_alts, \"aw\"\n.long foo\n"},
    {"reachable", ".section .discard.reachable, \"aw\"\n.long foo\n.section .discard.unreachable, \"aw\"\n.long foo\n"},
    {"unwind-hint", ".section .discard.unwind_hints, \"a\"\n.long foo\n.short 8\n.byte 4\n.byte 2\n.byte 0\n.byte 0\n.short 0\n"},
    {"static-call-site", ".section .static_call_sites, \"aw\"\n.long foo - .\n.long foo - .\n"},
    {"mcount-loc", ".section __mcount_loc, \"a\"\n.quad foo\n"},
    {"alternative", ".section .altinstructions, \"a\"\n.long foo - .\n.long foo - .\n.long 0x100\n.byte 1\n.byte 1\n"},
    {"jump-label", ".section __jump_table, \"aw\"\n.long foo - .\n.long foo - .\n.quad foo - . + 2\n"},
    {"exception-table", ".section __ex_table, \"a\"\n.long foo - .\n.long foo - .\n.long 0\n"},
    {"data-pointer", ".section .data\n.quad foo\n"},
    {"call", ".text\nbaz:\n  call foo\n  ret\n"},
    {"sibling-jump", ".text\nbaz:\n  jmp foo\n"},
    {"jump-table", ".text\nbaz:\n  jmp *.Ltab(,%rdi,8)\n.section .rodata\n.Ltab:\n.quad foo\n.quad foo + 1\n"},
  };

  /** How foo is moved out of its section: {st_shndx, st_info} (a function, a label, a section symbol). */
  private static final int[][] KINDS = {{0xfff1, (1 << 4) | 2}, {0xfff2, (1 << 4) | 2}, {0xfff1, (1 << 4)}, {0xfff1, (1 << 4) | 3}};
  private static final String[] KIND_NAMES = {"abs-func", "common-func", "abs-notype", "abs-section"};

  /**
   * Where the reference objtool 6.12 never finishes (measured: no output and still running after
   * 60 s, for {@code .discard.reachable} against an absolute section symbol): ours must end
   * promptly with one-line warnings and no internal error.
   */
  private static final java.util.Set<String> HANGS_REFERENCE = java.util.Set.of("reachable/abs-section");

  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> sameAsTheReference() {
    Path ref = Fixtures.reference();
    List<DynamicTest> tests = new ArrayList<>();
    for (String[] place : PLACES) {
      for (int k = 0; k < KINDS.length; k++) {
        int kind = k;
        for (int f = 0; f < CheckFuzzTest.FLAG_SETS.size(); f++) {
          List<String> flags = CheckFuzzTest.FLAG_SETS.get(f);
          String name = place[0] + "/" + KIND_NAMES[kind] + "/flags" + f;
          if (HANGS_REFERENCE.contains(place[0] + "/" + KIND_NAMES[kind])) {
            tests.add(DynamicTest.dynamicTest(name, () -> oursAlone(name.replace('/', '-'), place[1], KINDS[kind], flags)));
          } else {
            tests.add(DynamicTest.dynamicTest(name, () -> compare(ref, name.replace('/', '-'), place[1], KINDS[kind], flags)));
          }
        }
      }
    }
    return tests.stream();
  }

  private void compare(Path ref, String name, String place, int[] kind, List<String> flags) throws Exception {
    Path obj = object(name, place, kind[0], kind[1]);
    Path theirs = dir.resolve("ref").resolve(name + ".o");
    Path ours = dir.resolve("ours").resolve(name + ".o");
    Files.createDirectories(theirs.getParent());
    Files.createDirectories(ours.getParent());
    Files.copy(obj, theirs);
    Files.copy(obj, ours);
    List<String> refArgs = new ArrayList<>(flags);
    refArgs.add(theirs.getFileName().toString());
    Fixtures.Outcome expected = Fixtures.runReference(ref, theirs.getParent(), refArgs, null);
    assertTrue(expected.exit() >= 0 && expected.exit() < 128, name + ": the reference crashed: " + expected);
    List<String> ourArgs = new ArrayList<>(flags);
    ourArgs.add(ours.toString());
    Fixtures.Outcome got = Fixtures.runOurs(ourArgs);
    TALLY.compare(() -> {
      assertEquals(expected.exit(), got.exit(), name + " exit; ours: " + got.stderr());
      assertEquals(expected.stdout(), got.stdout(), name + " stdout");
      assertEquals(expected.stderr(), got.stderr().replace(ours.getParent() + "/", ""), name + " stderr");
      assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), name + ": the object written");
    });
  }

  private void oursAlone(String name, String place, int[] kind, List<String> flags) throws Exception {
    Path obj = object(name, place, kind[0], kind[1]);
    List<String> args = new ArrayList<>(flags);
    args.add(obj.toString());
    Fixtures.Outcome got = Fixtures.runOurs(args);
    assertTrue(got.exit() == 0 || got.exit() == 1, name + " exit " + got.exit());
    for (String line : got.stderr().lines().toList()) {
      assertTrue(line.startsWith(obj + ": warning: objtool: ") && !line.contains("internal error"), name + ": " + line);
    }
  }

  /** bar (a function with a frame), the place that refers to foo, foo then moved out of its section. */
  private Path object(String name, String place, int shndx, int info) throws IOException, InterruptedException {
    String src = ".text\n.globl bar\n.type bar, @function\nbar:\n  push %rbp\n  mov %rsp, %rbp\n  pop %rbp\n  ret\n"
        + ".size bar, .-bar\n.globl foo\n.type foo, @function\n" + place;
    Path s = dir.resolve(name + ".s");
    Path o = dir.resolve(name + ".o");
    Files.writeString(s, src);
    Process p = new ProcessBuilder("gcc", "-c", s.toString(), "-o", o.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), log);
    byte[] bytes = Files.readAllBytes(o);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long shoff = b.getLong(0x28);
    int shnum = b.getShort(0x3c) & 0xffff;
    boolean moved = false;
    for (int i = 0; i < shnum; i++) {
      int h = (int) (shoff + 64L * i);
      if (b.getInt(h + 4) != 2) continue; // SHT_SYMTAB
      int off = (int) b.getLong(h + 24);
      int size = (int) b.getLong(h + 32);
      int strOff = (int) b.getLong((int) (shoff + 64L * b.getInt(h + 40)) + 24);
      for (int e = off; e < off + size; e += 24) {
        int n = strOff + b.getInt(e);
        if (bytes[n] == 'f' && bytes[n + 1] == 'o' && bytes[n + 2] == 'o' && bytes[n + 3] == 0) {
          b.put(e + 4, (byte) info);
          b.putShort(e + 6, (short) shndx);
          b.putLong(e + 8, 0x10);
          b.putLong(e + 16, 4);
          moved = true;
        }
      }
    }
    assertTrue(moved, "no symbol foo in " + name);
    Files.write(o, bytes);
    return o;
  }
}
