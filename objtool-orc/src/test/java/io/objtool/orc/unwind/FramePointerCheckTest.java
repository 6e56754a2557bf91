package io.objtool.orc.unwind;

import static io.objtool.orc.OrcReg.BP;
import static io.objtool.orc.OrcReg.PREV_SP;
import static io.objtool.orc.OrcReg.SP;
import static io.objtool.orc.OrcReg.UNDEFINED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.orc.OrcFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frame-pointer unwinds judged by the orc table. */
class FramePointerCheckTest {
  static final long STACK = 0x7000_0000L;
  // each function: entry (sp+8), after push bp (sp+16, bp at prevsp-16), after mov bp,sp (bp+16)
  static final long F = 0x1000, G = 0x2000, H = 0x3000, OUTER = 0x9000;

  static OrcTable table() {
    Tables t = new Tables(OrcFormat.CURRENT).end(OUTER).undefined(OUTER + 0x100);
    for (long fn : new long[] {F, G, H}) {
      t.call(fn, SP, 8, UNDEFINED, 0).call(fn + 1, SP, 16, PREV_SP, -16).call(fn + 4, BP, 16, PREV_SP, -16)
          .call(fn + 0x40, SP, 8, UNDEFINED, 0);
    }
    return t.build();
  }

  /** A chain H (running) <- G <- F <- OUTER, each with a frame set up. */
  static ByteArrayMemory chain(long bpH, long bpG, long bpF) {
    return new ByteArrayMemory().zeroed(STACK, 0x1000)
        .put64(bpH, bpG).put64(bpH + 8, G + 0x10)
        .put64(bpG, bpF).put64(bpG + 8, F + 0x10)
        .put64(bpF, 0).put64(bpF + 8, OUTER + 1);
  }

  @Test
  void allFramesSetUp() {
    long h = STACK + 0x100, g = STACK + 0x200, f = STACK + 0x300;
    List<FramePointerCheck.FpFrame> c = FramePointerCheck.walk(chain(h, g, f), H + 0x10, h, 64);
    assertEquals(List.of(H + 0x10, G + 0x10, F + 0x10, OUTER + 1), c.stream().map(FramePointerCheck.FpFrame::ip).toList());
    FramePointerCheck.Report r = new FramePointerCheck(table()).check(c);
    assertTrue(r.reliable(), r.toString());
    assertTrue(r.verdicts().get(3).endOfStack());
  }

  @Test
  void interruptedBeforeThePushSkipsTheCaller() {
    // stopped at H's first instruction: bp is still G's, so the chain skips G's caller
    long g = STACK + 0x200, f = STACK + 0x300;
    ByteArrayMemory m = chain(STACK + 0x100, g, f);
    FramePointerCheck.Report r = new FramePointerCheck(table()).check(FramePointerCheck.walk(m, H, g, 64));
    assertFalse(r.reliable());
    assertEquals(0, r.firstUnreliable());
    assertTrue(r.verdicts().get(0).reason().contains("frame pointer not set up"), r.verdicts().get(0).reason());
    assertTrue(r.verdicts().get(1).reliable());
  }

  @Test
  void aFrameWithoutFramePointerInTheMiddle() {
    long h = STACK + 0x100, g = STACK + 0x200, f = STACK + 0x300;
    ByteArrayMemory m = chain(h, g, f).put64(h + 8, G + 0x50); // G returns to after its pop of bp
    FramePointerCheck.Report r = new FramePointerCheck(table()).check(FramePointerCheck.walk(m, H + 0x10, h, 64));
    assertEquals(1, r.firstUnreliable());
  }

  @Test
  void noOrcEntryAndExceptionFrames() {
    OrcTable t = new Tables(OrcFormat.CURRENT).type(G, io.objtool.orc.OrcType.REGS, SP, 0, UNDEFINED, 0)
        .call(F, BP, 16, BP, 0).build();
    FramePointerCheck check = new FramePointerCheck(t);
    FramePointerCheck.Report r = check.check(List.of(new FramePointerCheck.FpFrame(F + 8, STACK),
        new FramePointerCheck.FpFrame(G + 8, STACK + 0x10), new FramePointerCheck.FpFrame(0x10, STACK + 0x20)));
    assertTrue(r.verdicts().get(0).reliable()); // bp saved at bp+0: the same slot as prevsp-16
    assertFalse(r.verdicts().get(1).reliable());
    assertTrue(r.verdicts().get(1).reason().contains("not a call frame"));
    assertTrue(r.verdicts().get(2).reason().startsWith("no orc entry"));
    assertEquals(1, r.firstUnreliable());
  }

  @Test
  void walkStopsAtBadChains() {
    ByteArrayMemory m = new ByteArrayMemory().zeroed(STACK, 0x100).put64(STACK + 0x10, STACK).put64(STACK + 0x18, G);
    assertEquals(2, FramePointerCheck.walk(m, F, STACK + 0x10, 64).size()); // bp goes down: stop
    assertEquals(1, FramePointerCheck.walk(m, F, 0x10, 64).size()); // unreadable
    assertEquals(1, FramePointerCheck.walk(m, F, STACK + 0x10, 1).size());
  }
}
