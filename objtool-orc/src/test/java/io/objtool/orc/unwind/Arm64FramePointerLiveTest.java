package io.objtool.orc.unwind;

import io.objtool.orc.unwind.GdbStackTest.Result;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** arm64: the program linked statically, run by qemu-aarch64's gdb stub, gdb-multiarch attached. */
class Arm64FramePointerLiveTest extends FramePointerLiveTest {
  private static final Oracles.Tally TALLY = Oracles.tally("arm64-fp-live",
      "frames' verdicts (FramePointerCheck reliable exactly where the frame-pointer unwind is gdb's DWARF backtrace; qemu-aarch64)");

  @Override String cc() { return "aarch64-linux-gnu-gcc"; }

  @Override List<String> cflags() {
    return List.of("-O2", "-fno-omit-frame-pointer", "-g", "-fasynchronous-unwind-tables", "-fno-stack-protector",
        "-fno-stack-clash-protection");
  }

  @Override List<String> ldflags() { return List.of("-static"); }

  @Override FramePointerCheck.Arch arch() { return FramePointerCheck.Arch.ARM64; }

  /** qemu's flags besides the gdb stub's (e.g. the cpu). */
  List<String> qemuFlags() { return List.of(); }

  @Override Oracles.Tally tally() { return TALLY; }

  @Override
  Result runGdb(Path script, Map<String, String> env) throws IOException {
    Oracles.require(Oracles.runs("gdb-multiarch", "--version"), "gdb-multiarch (Debian: gdb-multiarch)");
    Oracles.require(Oracles.runs("qemu-aarch64-static", "--version"), "qemu-aarch64-static (Debian: qemu-user-static)");
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> cmd = new java.util.ArrayList<>(List.of("qemu-aarch64-static", "-g", Integer.toString(port)));
    cmd.addAll(qemuFlags());
    cmd.add(exe.toString());
    Process qemu = new ProcessBuilder(cmd)
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
    try {
      Map<String, String> e = new java.util.HashMap<>(env);
      e.put("GDBSTACK_REMOTE", Integer.toString(port));
      // qemu listens once it has loaded the program: retry the attach for a few seconds
      Result g = null;
      for (int attempt = 0; attempt < 20; attempt++) {
        g = GdbStackTest.run(dir, List.of("gdb-multiarch", "-nx", "-batch", "-x", script.toString(), exe.toString()), e, 240);
        if (!(g.out() + g.err()).contains("Connection refused")) break;
        try {
          Thread.sleep(250);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
          throw new IOException(x);
        }
      }
      return g;
    } finally {
      qemu.destroyForcibly();
    }
  }
}
