package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AArch64 object on the command line: {@code --orc} writes arm64 ORC (the 2022 series'
 * semantics, {@code R_AARCH64_PREL32} relocations), {@code --dump=orc} prints it with the frame
 * pointer named {@code fp}, {@code --stackval} checks the frame-record rules, and the x86-only
 * actions are refused with one line, exit status 1 and the object untouched.
 */
class Arm64CliTest {
  @TempDir Path dir;

  private static final String CODE = String.join("\n",
      "\t.text",
      "\t.globl f",
      "\t.type f, %function",
      "f:",
      "\tstp x29, x30, [sp, #-32]!",
      "\tmov x29, sp",
      "\tbl ext",
      "\tldp x29, x30, [sp], #32",
      "\tret",
      "\t.size f, .-f",
      "\t.globl big",
      "\t.type big, %function",
      "big:",
      "\tsub sp, sp, #64",
      "\tstp x29, x30, [sp, #16]",
      "\tadd x29, sp, #16",
      "\tbl ext",
      "\tldp x29, x30, [sp, #16]",
      "\tadd sp, sp, #64",
      "\tret",
      "\t.size big, .-big",
      "\t.globl leaf",
      "\t.type leaf, %function",
      "leaf:",
      "\tadd x0, x0, #1",
      "\tret",
      "\t.size leaf, .-leaf",
      "\t.globl scratch",
      "\t.type scratch, %function",
      "scratch:",
      "\tmov x29, x0",
      "\tret",
      "\t.size scratch, .-scratch",
      "");

  private Path assemble(String name, String code) throws Exception {
    Oracles.require(Oracles.runs("aarch64-linux-gnu-as", "--version"), "aarch64-linux-gnu-as (Debian: binutils-aarch64-linux-gnu)");
    Path s = dir.resolve(name + ".s");
    Path o = dir.resolve(name + ".o");
    Files.writeString(s, code);
    Process p = new ProcessBuilder("aarch64-linux-gnu-as", "-o", o.toString(), s.toString()).inheritIO().start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0);
    return o;
  }

  /**
   * {@code --trace} on an arm64 object names the registers as the architecture does (sp, x29, x30,
   * never x86's rsp/rbp), and with {@code CROSS_COMPILE} set shows the cross objdump's text.
   */
  @Test
  void traceNamesArm64Registers() throws Exception {
    Path o = assemble("t", String.join("\n",
        "\t.text",
        "\t.globl frame_8k",
        "\t.type frame_8k, %function",
        "frame_8k:",
        "\tmov x12, #0x2020",
        "\tsub sp, sp, x12",
        "\tstp x29, x30, [sp]",
        "\tmov x29, sp",
        "\tbl ext",
        "\tldp x29, x30, [sp]",
        "\tmov x12, #0x2020",
        "\tadd sp, sp, x12",
        "\tret",
        "\t.size frame_8k, .-frame_8k",
        ""));
    Oracles.require(Oracles.runs("aarch64-linux-gnu-objdump", "--version"), "aarch64-linux-gnu-objdump (Debian: binutils-aarch64-linux-gnu)");
    Fixtures.Outcome r = Fixtures.runOursWithEnv(List.of("--stackval", "--link", "--trace=frame_8k", o.toString()),
        java.util.Map.of("CROSS_COMPILE", "aarch64-linux-gnu-"));
    assertEquals(0, r.exit(), r.stderr());
    List<String> lines = r.stderr().lines().toList();
    assertEquals("objtool: trace: frame_8k: walk from frame_8k+0x0 (.text+0x0)", lines.get(0), r.stderr());
    String[][] want = {  // location, disassembly, state after it
        {"frame_8k+0x0 ", "mov x12, #0x2020", "cfa=sp+0"},
        {"frame_8k+0x4 ", "sub sp, sp, x12", "cfa=sp+8224"},
        {"frame_8k+0x8 ", "stp x29, x30, [sp]", "cfa=sp+8224 x29=cfa-8224 x30=cfa-8216"},
        {"frame_8k+0xc ", "mov x29, sp", "cfa=x29+8224 x29=cfa-8224 x30=cfa-8216"},
        {"frame_8k+0x10 ", "bl ", "cfa=x29+8224 x29=cfa-8224 x30=cfa-8216"},
        {"frame_8k+0x14 ", "ldp x29, x30, [sp]", "cfa=sp+8224"},
        {"frame_8k+0x18 ", "mov x12, #0x2020", "cfa=sp+8224"},
        {"frame_8k+0x1c ", "add sp, sp, x12", "cfa=sp+0"},
        {"frame_8k+0x20 ", "ret", "cfa=sp+0"},
    };
    for (int i = 0; i < want.length; i++) {
      String l = lines.get(i + 1).strip().replaceAll("\\s+", " ");
      String why = "line " + (i + 1) + ": " + l + "\n" + r.stderr();
      assertTrue(l.startsWith(want[i][0]), why);
      assertTrue(l.contains(want[i][1]), why);
      assertTrue(l.endsWith(" " + want[i][2]), why);
    }
    assertTrue(r.stderr().lines().noneMatch(l -> l.matches(".*\\b(rsp|rbp|r15|r13)\\b.*")), r.stderr());
  }

  @Test
  void orcIsWrittenAndDumpedInArm64Terms() throws Exception {
    Path o = assemble("a", CODE);
    Fixtures.Outcome r = Fixtures.runOurs(List.of("--orc", "--link", o.toString()));
    assertEquals(new Fixtures.Outcome(0, "", ""), r);
    Fixtures.Outcome dump = Fixtures.runOurs(List.of("--dump=orc", o.toString()));
    assertEquals(0, dump.exit(), dump::toString);
    assertEquals(String.join("\n",
        ".text+0:type:call sp:sp+0 fp:(und) signal:0",
        ".text+4:type:call sp:sp+32 fp:prev_sp-32 signal:0",
        ".text+8:type:call sp:fp+32 fp:prev_sp-32 signal:0",
        ".text+10:type:call sp:sp+0 fp:(und) signal:0",
        ".text+18:type:call sp:sp+64 fp:(und) signal:0",
        ".text+1c:type:call sp:sp+64 fp:prev_sp-48 signal:0",
        ".text+20:type:call sp:fp+48 fp:prev_sp-48 signal:0",
        ".text+28:type:call sp:sp+64 fp:(und) signal:0",
        ".text+2c:type:call sp:sp+0 fp:(und) signal:0",
        // scratch: x29 given another value, the caller's x29 saved nowhere: the frame pointer is not reliable
        ".text+3c:type:(und) sp:(und) fp:(und) signal:0",
        ".text+40:type:(und) sp:(und) fp:(und) signal:0",
        ""), dump.stdout());
    try (ElfFile elf = ElfFile.open(o)) {
      Section ip = elf.section(".orc_unwind_ip");
      assertNotNull(ip);
      Relocations rel = ip.relocations();
      assertEquals(11, rel.count());
      for (int i = 0; i < rel.count(); i++) assertEquals(Elf.R_AARCH64_PREL32, rel.type(i));
    }
  }

  @Test
  void stackvalChecksTheFrameRecordRules() throws Exception {
    Path o = assemble("a", CODE.replace("\tstp x29, x30, [sp, #-32]!\n\tmov x29, sp\n", "\tstr x30, [sp, #-32]!\n")
        .replace("\tldp x29, x30, [sp], #32\n", "\tldr x30, [sp], #32\n"));
    Fixtures.Outcome r = Fixtures.runOurs(List.of("--stackval", "--link", o.toString()));
    assertEquals(new Fixtures.Outcome(0, "", o + ": warning: objtool: f+0x4: call without frame pointer save/setup\n"
        + o + ": warning: objtool: scratch+0x4: BP used as a scratch register\n"), r);
  }

  @Test
  void x86OnlyActionsAreRefused() throws Exception {
    Path o = assemble("a", CODE);
    byte[] before = Files.readAllBytes(o);
    for (String action : List.of("--retpoline", "--rethunk", "--ibt", "--sls", "--static-call", "--uaccess", "--noinstr",
        "--mcount", "--hacks=jump_label", "--prefix=16", "--cfi")) {
      Fixtures.Outcome r = Fixtures.runOurs(List.of("--orc", action, "--link", o.toString()));
      String shown = action.startsWith("--prefix") ? "--prefix" : action;
      assertEquals(new Fixtures.Outcome(1, "", o + ": error: objtool: " + shown + " is an x86-64 action, not available for arm64 objects"
          + " (arm64 supports --orc, --stackval and --dump=orc)\n"), r, action);
      assertArrayEquals(before, Files.readAllBytes(o), action);
    }
  }
}
