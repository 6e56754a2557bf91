package io.objtool.orc.unwind;

import io.objtool.orc.unwind.GdbStackTest.Result;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** x86-64: the program linked -no-pie and run natively under gdb. */
class X86FramePointerLiveTest extends FramePointerLiveTest {
  private static final Oracles.Tally TALLY = Oracles.tally("x86-fp-live",
      "frames' verdicts (FramePointerCheck reliable exactly where the frame-pointer unwind is gdb's DWARF backtrace)");

  @Override String cc() { return "gcc"; }

  @Override List<String> cflags() {
    return List.of("-O2", "-fno-omit-frame-pointer", "-g", "-fasynchronous-unwind-tables", "-fno-stack-protector",
        "-fcf-protection=none", "-fno-stack-clash-protection");
  }

  @Override List<String> ldflags() { return List.of("-no-pie"); }

  @Override FramePointerCheck.Arch arch() { return FramePointerCheck.Arch.X86_64; }

  @Override Oracles.Tally tally() { return TALLY; }

  @Override
  Result runGdb(Path script, Map<String, String> env) throws IOException {
    Oracles.require(Oracles.runs("gdb", "--version"), "gdb (Debian: gdb)");
    return GdbStackTest.run(dir, List.of("gdb", "-nx", "-batch", "-x", script.toString(), exe.toString()), env, 240);
  }
}
