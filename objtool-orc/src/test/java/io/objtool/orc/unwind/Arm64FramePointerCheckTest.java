package io.objtool.orc.unwind;

import static io.objtool.orc.Arm64OrcReg.FP;
import static io.objtool.orc.Arm64OrcReg.PREV_SP;
import static io.objtool.orc.Arm64OrcReg.SP;
import static io.objtool.orc.Arm64OrcReg.UNDEFINED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.orc.Arm64OrcReg;
import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcType;
import io.objtool.orc.unwind.FramePointerCheck.FpFrame;
import io.objtool.orc.unwind.FramePointerCheck.Reason;
import io.objtool.orc.unwind.FramePointerCheck.Regs;
import io.objtool.orc.unwind.FramePointerCheck.Report;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arm64 rules of the run-time check (the 2022 series), and pt_regs frames, on synthetic tables. */
class Arm64FramePointerCheckTest {
  static final long STACK = 0x7000_0000L;
  // each function: entry (sp+0, fp still the caller's), after stp x29,x30,[sp,#-32]! (sp+32,
  // x29 at prev_sp-32), after mov x29,sp (fp+32), after ldp (sp+0), then padding (all zero)
  static final long F = 0x1000, G = 0x2000, H = 0x3000;

  static Tables fn(Tables t, long at) {
    return t.add(at, call(SP, 0, UNDEFINED, 0)).add(at + 4, call(SP, 32, PREV_SP, -32))
        .add(at + 8, call(FP, 32, PREV_SP, -32)).add(at + 0x40, call(SP, 0, UNDEFINED, 0))
        .add(at + 0x48, new OrcEntry(OrcFormat.CURRENT, (short) 0, (short) 0, (short) 0));
  }

  static OrcEntry call(Arm64OrcReg sp, int spOff, Arm64OrcReg fp, int fpOff) {
    return OrcEntry.arm64(OrcType.CALL, sp, spOff, fp, fpOff, false);
  }

  static FramePointerCheck check(Tables t) {
    return new FramePointerCheck(t.build(), FramePointerCheck.Arch.ARM64);
  }

  /** H (stopped) called by G called by F; records at h, g, f (32-byte frames: sp at the call = record + 32). */
  static ByteArrayMemory chain(long h, long g, long f, long retG, long retF) {
    return new ByteArrayMemory().zeroed(STACK, 0x1000).put64(h, g).put64(h + 8, retG).put64(g, f).put64(g + 8, retF);
  }

  @Test
  void framesSetUpAreReliableFromRegisters() {
    long h = STACK + 0x100, g = h + 32, f = g + 32;
    Tables t = fn(fn(fn(new Tables(OrcFormat.CURRENT), F), G), H);
    Report r = check(t).check(new Regs(H + 0x10, h, h), chain(h, g, f, G + 0x10, F + 0x10), 64);
    assertEquals(3, r.verdicts().size(), r.toString());
    assertTrue(r.reliable(), r.toString());
    // the chain check (series: first frame seeded from its fp) agrees
    assertTrue(check(t).check(FramePointerCheck.walk(chain(h, g, f, G + 0x10, F + 0x10), H + 0x10, h, 64)).reliable());
  }

  /**
   * pac-ret: the saved x30 carries a PAC above the 48 (or 52) address bits; the check strips it as
   * xpaclri does before looking up the caller, and the chain's frames are the stripped addresses.
   */
  @Test
  void pacSignedReturnAddressesAreStripped() {
    long h = STACK + 0x100, g = h + 32, f = g + 32;
    Tables t = fn(fn(fn(new Tables(OrcFormat.CURRENT), F), G), H);
    long pacG = 0x0035_0000_0000_0000L | (G + 0x10);   // bits 54..48: a PAC of a user address
    long pacF = 0x1a7f_0000_0000_0000L | (F + 0x10);   // bits 63..56 as well (no top-byte-ignore for code)
    ByteArrayMemory m = chain(h, g, f, pacG, pacF);
    Report r = check(t).check(new Regs(H + 0x10, h, h), m, 64);
    assertTrue(r.reliable(), r.toString());
    assertEquals(List.of(new FpFrame(H + 0x10, h), new FpFrame(G + 0x10, g), new FpFrame(F + 0x10, f)),
        r.verdicts().stream().map(FramePointerCheck.Verdict::frame).toList());
    assertEquals(r.verdicts().stream().map(FramePointerCheck.Verdict::frame).toList(), check(t).chain(m, H + 0x10, h, 64));
    assertTrue(check(t).check(check(t).chain(m, H + 0x10, h, 64)).reliable());
    // unstripped (the first API's static walk reads raw values) the PAC hides the caller
    Report raw = check(t).check(FramePointerCheck.walk(m, H + 0x10, h, 64));
    assertEquals(1, raw.firstUnreliable(), raw.toString());
    // the virtual-address size decides which bits are the PAC: with 52 bits, bits 51..48 are address
    FramePointerCheck va52 = new FramePointerCheck(t.build(), FramePointerCheck.Arch.ARM64, 52);
    assertEquals(0x0000_0000_0000_1010L, va52.returnAddress(0x0030_0000_0000_1010L));
    assertEquals(0x000f_0000_0000_1010L, va52.returnAddress(0x003f_0000_0000_1010L));
    assertEquals(0x0000_0000_0000_1010L, check(t).returnAddress(0x000f_0000_0000_1010L));
    // kernel addresses (bit 55 set): the bits above become ones
    assertEquals(0xffff_8000_0000_1010L, check(t).returnAddress(0xff9d_8000_0000_1010L));
    assertEquals(0xffff_8000_0000_1010L, check(t).returnAddress(0xffff_8000_0000_1010L));
    // x86-64 has no PAC: unchanged
    assertEquals(0x0035_0000_0000_1010L, new FramePointerCheck(t.build(), FramePointerCheck.Arch.X86_64).returnAddress(0x0035_0000_0000_1010L));
  }

  @Test
  void prologueAndLeafAreNotReliable() {
    long g = STACK + 0x120, f = g + 32;
    Tables t = fn(fn(fn(new Tables(OrcFormat.CURRENT), F), G), H);
    ByteArrayMemory m = chain(STACK + 0x100, g, f, G + 0x10, F + 0x10);
    // at H's first instruction x29 is still G's: no frame record
    Report r = check(t).check(new Regs(H, g - 0x10, g), m, 64);
    assertEquals(Reason.NO_FRAME_RECORD, r.verdicts().get(0).why());
    assertEquals(0, r.firstUnreliable());
    // after the stp, before mov x29,sp: the record is at sp, x29 elsewhere
    r = check(t).check(new Regs(H + 4, STACK + 0x100, g), m, 64);
    assertEquals(Reason.FP_MISMATCH, r.verdicts().get(0).why(), r.toString());
    // in the padding: all zero, fp unreliable
    r = check(t).check(new Regs(H + 0x48, STACK + 0x100, g), m, 64);
    assertEquals(Reason.FP_UNRELIABLE, r.verdicts().get(0).why());
    assertEquals(Reason.NO_ORC_ENTRY, check(t).check(new Regs(0x10, 0, g), m, 64).verdicts().get(0).why());
  }

  @Test
  void aCallerWhoseRecordIsNotAtItsCfaIsCaught() {
    // G's body keeps its cfa sp-based (sp+32, x29 at prev_sp-32): the step rule places G's record
    // at H's cfa; 16 bytes higher is not G's
    long h = STACK + 0x100, g = h + 48, f = g + 32;
    Tables t = fn(fn(new Tables(OrcFormat.CURRENT), F), H).add(G, call(SP, 32, PREV_SP, -32));
    Report r = check(t).check(new Regs(H + 0x10, h, h), chain(h, g, f, G + 0x10, F + 0x10), 64);
    assertEquals(1, r.firstUnreliable(), r.toString());
    assertEquals(Reason.FP_MISMATCH, r.verdicts().get(1).why());
    // the series' chain rule too: cfa seeded at H, stepped by G's sp offset
    Report c = check(t).check(FramePointerCheck.walk(chain(h, g, f, G + 0x10, F + 0x10), H + 0x10, h, 64));
    assertEquals(1, c.firstUnreliable(), c.toString());
    // an fp-based caller entry only has the record's place relative to the callee: below H's cfa is wrong
    Tables fpBased = fn(fn(fn(new Tables(OrcFormat.CURRENT), F), G), H);
    long low = h + 16;
    r = check(fpBased).check(new Regs(H + 0x10, h, h), chain(h, low, f, G + 0x10, F + 0x10), 64);
    assertEquals(Reason.FP_MISMATCH, r.verdicts().get(1).why(), r.toString());
  }

  @Test
  void aNoreturnCallEndingAFunctionIsLookedUpAtPcMinus4() {
    long h = STACK + 0x100, g = h + 32, f = g + 32;
    // G's last instruction (G+0x3c) is a call: the return address G+0x40 is where G's epilogue
    // entry starts (here: the next function's entry)
    Tables t = new Tables(OrcFormat.CURRENT).add(G, call(SP, 0, UNDEFINED, 0)).add(G + 8, call(FP, 32, PREV_SP, -32));
    fn(fn(t, G + 0x40), H);
    fn(t, F);
    ByteArrayMemory m = chain(h, g, f, G + 0x40, F + 0x10);
    Report r = check(t).check(new Regs(H + 0x10, h, h), m, 64);
    assertTrue(r.reliable(), r.toString());
    assertEquals(3, r.verdicts().size());
    // x86 would look up ip - 1, arm64 pc first: at a padding (all-zero) return address too
    Tables pad = new Tables(OrcFormat.CURRENT).add(G, call(FP, 32, PREV_SP, -32))
        .add(G + 0x40, new OrcEntry(OrcFormat.CURRENT, (short) 0, (short) 0, (short) 0));
    fn(fn(pad, H), F);
    assertTrue(check(pad).check(new Regs(H + 0x10, h, h), m, 64).reliable());
  }

  @Test
  void ptRegsFramesAreCrossedWhenTheRecordNamesTheInterruptedContext() {
    long h = STACK + 0x100, regs = h + 32 + 0x40, g = STACK + 0x400, f = g + 32; // H's cfa is E's sp
    // H returns into an exception entry E whose cfa (sp + 0x40) is a pt_regs: G was interrupted
    long e = 0x5000;
    Tables t = fn(fn(fn(new Tables(OrcFormat.CURRENT), F), G), H)
        .add(e, OrcEntry.arm64(OrcType.REGS, SP, 0x40, PREV_SP, -16, false));
    long entryRecord = regs - 16; // E's frame record
    ByteArrayMemory m = new ByteArrayMemory().zeroed(STACK, 0x1000)
        .put64(h, entryRecord).put64(h + 8, e + 4)
        .put64(entryRecord, g).put64(entryRecord + 8, G + 0x20) // the record names G's pc and x29
        .put64(regs + 29 * 8, g).put64(regs + 31 * 8, g).put64(regs + 32 * 8, G + 0x20).put64(regs + 33 * 8, 5)
        .put64(g, f).put64(g + 8, F + 0x10);
    Report r = check(t).check(new Regs(H + 0x10, h, h), m, 64);
    assertTrue(r.reliable(), r.toString());
    List<FpFrame> frames = r.verdicts().stream().map(FramePointerCheck.Verdict::frame).toList();
    assertEquals(List.of(H + 0x10, e + 4, G + 0x20, F + 0x10), frames.stream().map(FpFrame::ip).toList());
    // the record does not name the interrupted pc: not reliable
    m.put64(entryRecord + 8, G + 0x24);
    assertEquals(Reason.REGS_MISMATCH, check(t).check(new Regs(H + 0x10, h, h), m, 64).verdicts().get(1).why());
    // from user mode (pstate EL0): the end of the stack
    m.put64(regs + 33 * 8, 0);
    Report user = check(t).check(new Regs(H + 0x10, h, h), m, 64);
    assertTrue(user.reliable() && user.verdicts().get(1).endOfStack(), user.toString());
  }
}
