package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which VEX, EVEX and XOP encoded opcodes objtool decodes and which it calls "can't decode
 * instruction": every opcode of every map and implied prefix, black-box against the reference
 * objtool 6.12, which accepts an opcode under VEX or EVEX only where its opcode map says the
 * instruction exists in that encoding. Each case is one function whose first instruction is the
 * candidate (register operands, so that nothing but the opcode, the map, the prefix and for
 * groups the ModRM.reg field decides), then {@code c3 50 c3 50 50 50 c3}, NOPs and a return: the
 * warning that follows tells the candidate's length too (no immediate: the {@code push} after the
 * first {@code ret} is unreachable; an imm8: a {@code ret} with the stack modified at +2; an imm16:
 * unreachable at +3; an imm32: a modified stack at +6). stdout, stderr and the exit status must be
 * the reference's.
 */
class VexValidityTest {
  private static final Oracles.Tally TALLY = Oracles.tally("vex-validity",
      "VEX/EVEX/XOP encodings decoded or refused (every opcode, map and implied prefix; stdout, stderr, exit; objtool 6.12)");

  @TempDir Path dir;

  /** A name and the instruction bytes of one case. */
  record Case(String name, byte[] bytes) { }

  /** Every opcode of every VEX and EVEX map under each implied prefix, the groups by ModRM.reg, XOP's prefix. */
  static List<Case> cases() {
    List<Case> cs = new ArrayList<>();
    for (int pp = 0; pp < 4; pp++) {
      for (int op = 0; op < 256; op++) {
        for (int map = 1; map <= 3; map++) {
          cs.add(new Case(String.format("vex3-m%d-p%d-%02x", map, pp, op), bytes(0xc4, 0xe0 | map, 0x78 | pp, op, 0xc0)));
        }
        cs.add(new Case(String.format("vex2-p%d-%02x", pp, op), bytes(0xc5, 0xf8 | pp, op, 0xc0)));
        for (int map = 1; map <= 7; map++) {
          cs.add(new Case(String.format("evex-m%d-p%d-%02x", map, pp, op), bytes(0x62, 0xf0 | map, 0x7c | pp, 0x08, op, 0xc0)));
        }
      }
      // the groups: every ModRM.reg
      for (int op : new int[] {0x71, 0x72, 0x73, 0xae}) {
        for (int reg = 1; reg < 8; reg++) {
          cs.add(new Case(String.format("vex3-m1-p%d-%02x-r%d", pp, op, reg), bytes(0xc4, 0xe1, 0x78 | pp, op, 0xc0 | reg << 3)));
          cs.add(new Case(String.format("evex-m1-p%d-%02x-r%d", pp, op, reg), bytes(0x62, 0xf1, 0x7c | pp, 0x08, op, 0xc0 | reg << 3)));
        }
      }
      for (int op : new int[] {0xc6, 0xc7, 0xf3}) {
        for (int reg = 1; reg < 8; reg++) {
          cs.add(new Case(String.format("vex3-m2-p%d-%02x-r%d", pp, op, reg), bytes(0xc4, 0xe2, 0x78 | pp, op, 0xc0 | reg << 3)));
          cs.add(new Case(String.format("evex-m2-p%d-%02x-r%d", pp, op, reg), bytes(0x62, 0xf2, 0x7c | pp, 0x08, op, 0xc0 | reg << 3)));
        }
      }
    }
    // VEX.W and VEX.L do not change the verdict
    for (int op : new int[] {0x10, 0x58, 0x77, 0xc2, 0xc6}) {
      for (int wl = 0; wl < 4; wl++) {
        cs.add(new Case(String.format("vex3-m1-p1-%02x-wl%d", op, wl), bytes(0xc4, 0xe1, 0x79 | (wl & 2) << 6 | (wl & 1) << 2, op, 0xc0)));
      }
    }
    // EVEX map 4 groups and map 7's f8: every ModRM.reg
    for (int pp = 0; pp < 4; pp++) {
      for (int reg = 1; reg < 8; reg++) {
        for (int op : new int[] {0x8f, 0xf6, 0xf7, 0xfe, 0xff}) {
          cs.add(new Case(String.format("evex-m4-p%d-%02x-r%d", pp, op, reg), bytes(0x62, 0xf4, 0x7c | pp, 0x08, op, 0xc0 | reg << 3)));
        }
        cs.add(new Case(String.format("evex-m7-p%d-f8-r%d", pp, reg), bytes(0x62, 0xf7, 0x7c | pp, 0x08, 0xf8, 0xc0 | reg << 3)));
      }
    }
    // AMD's XOP prefix (8f with a map select of 8 to 10): not an encoding to objtool, whose decoder
    // reads pop Ev (group 1a, any ModRM.reg) and then the rest as instructions of their own
    for (int map = 8; map <= 10; map++) {
      for (int op = 0; op < 256; op += 5) {
        cs.add(new Case(String.format("xop-m%d-%02x", map, op), bytes(0x8f, 0xe0 | map, 0x78, op, 0xc0)));
      }
    }
    for (int reg = 0; reg < 8; reg++) {
      cs.add(new Case("pop-ev-r" + reg, bytes(0x8f, 0xc0 | reg << 3)));
    }
    return cs;
  }

  private static byte[] bytes(int... b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) r[i] = (byte) b[i];
    return r;
  }

  @Test
  void sameVerdictsAsTheReference() throws Exception {
    Path ref = Fixtures.reference();
    byte[] template = template();
    int slot = indexOf(template, SLOT);
    assertTrue(slot > 0, "the template's slot");
    List<Case> cases = cases();
    Path theirs = Files.createDirectories(dir.resolve("ref"));
    Path ours = Files.createDirectories(dir.resolve("ours"));
    List<String> flags = List.of("--orc", "--link");
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
    List<Future<Fixtures.Outcome>> expected = new ArrayList<>();
    try {
      for (Case c : cases) {
        byte[] obj = template.clone();
        System.arraycopy(c.bytes(), 0, obj, slot, c.bytes().length);
        System.arraycopy(TRAILER, 0, obj, slot + c.bytes().length, TRAILER.length);
        Path t = theirs.resolve(c.name() + ".o");
        Files.write(t, obj);
        Files.write(ours.resolve(c.name() + ".o"), obj);
        List<String> args = new ArrayList<>(flags);
        args.add(t.getFileName().toString());
        expected.add(pool.submit(() -> Fixtures.runReference(ref, theirs, args, null)));
      }
      List<String> differ = new ArrayList<>();
      int same = 0;
      for (int i = 0; i < cases.size(); i++) {
        Case c = cases.get(i);
        Fixtures.Outcome want = expected.get(i).get();
        assertTrue(want.exit() >= 0 && want.exit() < 128, c.name() + ": the reference crashed: " + want);
        Path o = ours.resolve(c.name() + ".o");
        List<String> args = new ArrayList<>(flags);
        args.add(o.toString());
        Fixtures.Outcome got = Fixtures.runOurs(args);
        String gotErr = got.stderr().replace(ours + "/", "");
        if (want.exit() == got.exit() && want.stdout().equals(got.stdout()) && want.stderr().equals(gotErr)) {
          same++;
        } else if (differ.size() < 40) {
          differ.add(c.name() + ": reference exit " + want.exit() + " " + want.stderr().strip()
              + " | ours exit " + got.exit() + " " + gotErr.strip());
        }
      }
      TALLY.add(cases.size(), same);
      assertEquals(cases.size(), same, "cases that differ (first 40):\n" + String.join("\n", differ));
    } finally {
      pool.shutdownNow();
    }
  }

  private static final byte[] SLOT = bytes(0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc);
  /** Put right after the candidate: where its warning lands depends on the candidate's length. */
  private static final byte[] TRAILER = bytes(0xc3, 0x50, 0xc3, 0x50, 0x50, 0x50, 0xc3);

  /** f: eight int3 bytes (the slot a case overwrites), sixteen NOPs, ret. */
  private byte[] template() throws Exception {
    Path s = dir.resolve("template.s");
    Path o = dir.resolve("template.o");
    Files.writeString(s, ".text\n.globl f\n.type f, @function\nf:\n"
        + " .byte 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc\n"
        + " .byte 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90\n"
        + " .byte 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90\n"
        + " ret\n.size f, .-f\n");
    Process p = new ProcessBuilder("gcc", "-c", s.toString(), "-o", o.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), log);
    return Files.readAllBytes(o);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
