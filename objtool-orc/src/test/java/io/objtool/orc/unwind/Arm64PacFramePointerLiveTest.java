package io.objtool.orc.unwind;

import io.objtool.testkit.Oracles;
import java.util.ArrayList;
import java.util.List;

/**
 * arm64 with pointer authentication: the program built with {@code -mbranch-protection=pac-ret}
 * and run on qemu's {@code -cpu max} (which implements FEAT_PAuth), so every saved x30 in a frame
 * record carries a PAC. The check strips it ({@link FramePointerCheck#returnAddress}) and must
 * still call frames reliable exactly where gdb's DWARF backtrace agrees.
 */
class Arm64PacFramePointerLiveTest extends Arm64FramePointerLiveTest {
  private static final Oracles.Tally TALLY = Oracles.tally("arm64-pac-fp-live",
      "frames' verdicts with PAC-signed return addresses (pac-ret, qemu-aarch64 -cpu max; FramePointerCheck reliable"
          + " exactly where the frame-pointer unwind is gdb's DWARF backtrace)");

  @Override List<String> cflags() {
    List<String> f = new ArrayList<>(super.cflags());
    f.add("-mbranch-protection=pac-ret");
    return f;
  }

  @Override List<String> qemuFlags() { return List.of("-cpu", "max"); }

  @Override boolean pacRet() { return true; }

  @Override Oracles.Tally tally() { return TALLY; }
}
