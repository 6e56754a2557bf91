package io.objtool.orc.unwind;

import static io.objtool.orc.OrcReg.BP;
import static io.objtool.orc.OrcReg.BP_INDIRECT;
import static io.objtool.orc.OrcReg.PREV_SP;
import static io.objtool.orc.OrcReg.R10;
import static io.objtool.orc.OrcReg.SP;
import static io.objtool.orc.OrcReg.SP_INDIRECT;
import static io.objtool.orc.OrcReg.UNDEFINED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unwinds of synthetic stacks: each orc type and base reg, and every stop. */
class OrcUnwinderTest {
  static final long STACK = 0x7000_0000L;
  static final int STACK_SIZE = 0x1000;
  /** Functions: F at 0x1000, G at 0x2000, H at 0x3000, the outermost at 0x9000. */
  static final long F = 0x1000, G = 0x2000, H = 0x3000, OUTER = 0x9000;

  static ByteArrayMemory stack() {
    return new ByteArrayMemory().zeroed(STACK, STACK_SIZE);
  }

  static Tables base(OrcFormat f) {
    return new Tables(f).end(OUTER).undefined(OUTER + 0x100);
  }

  static List<Long> ips(Unwind u) {
    return u.frames().stream().map(Frame::ip).toList();
  }

  @ParameterizedTest
  @EnumSource(OrcFormat.class)
  void callFramesFromSp(OrcFormat fmt) {
    OrcTable t = base(fmt).call(F, SP, 8, UNDEFINED, 0).call(F + 4, SP, 32, UNDEFINED, 0).call(G, SP, 8, UNDEFINED, 0)
        .call(G + 1, SP, 16, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack()
        .put64(sp + 24, G + 0x10) // F's frame: 24 bytes of locals, then the return address into G
        .put64(sp + 32 + 8, OUTER + 5); // G's frame: 8 bytes (a push), then the return address
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F + 8, sp, 0x1234));
    assertEquals(List.of(F + 8, G + 0x10, OUTER + 5), ips(u));
    assertEquals(StopReason.END_OF_STACK, u.reason());
    assertTrue(u.reliable());
    assertEquals(sp + 32, u.frames().get(1).sp());
    assertEquals(sp + 48, u.frames().get(2).sp());
    assertEquals(0x1234, u.frames().get(2).bp()); // bp undefined: unchanged
  }

  @ParameterizedTest
  @EnumSource(OrcFormat.class)
  void frameFromBpRestoresTheSavedBp(OrcFormat fmt) {
    OrcTable t = base(fmt).call(F, BP, 16, PREV_SP, -16).build();
    long bp = STACK + 0x200;
    ByteArrayMemory m = stack().put64(bp, STACK + 0x400).put64(bp + 8, OUTER + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F + 3, STACK + 0x100, bp));
    assertEquals(List.of(F + 3, OUTER + 1), ips(u));
    Frame caller = u.frames().get(1);
    assertEquals(bp + 16, caller.sp());
    assertEquals(STACK + 0x400, caller.bp());
    assertEquals(StopReason.END_OF_STACK, u.reason());
  }

  @Test
  void bpSavedRelativeToBp() {
    // the drap form: cfa = *(bp - 40), caller's bp at bp + 0
    OrcTable t = base(OrcFormat.CURRENT).call(F, BP_INDIRECT, -40, BP, 0).build();
    long bp = STACK + 0x300;
    long cfa = STACK + 0x500;
    ByteArrayMemory m = stack().put64(bp - 40, cfa).put64(bp, 0xb0b0).put64(cfa - 8, OUTER + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, STACK + 0x100, bp));
    assertEquals(List.of(F, OUTER + 1), ips(u));
    assertEquals(cfa, u.frames().get(1).sp());
    assertEquals(0xb0b0, u.frames().get(1).bp());
  }

  @Test
  void spIndirectAddsTheOffsetAfterTheLoad() {
    OrcTable t = base(OrcFormat.CURRENT).call(F, SP_INDIRECT, 16, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    long other = STACK + 0x600;
    ByteArrayMemory m = stack().put64(sp, other).put64(other + 16 - 8, OUTER + 2);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, sp, 0));
    assertEquals(List.of(F, OUTER + 2), ips(u));
    assertEquals(other + 16, u.frames().get(1).sp());
  }

  /** A full pt_regs frame at {@code at} with the given ip, sp, bp, cs and a value in r10, r13, di, dx. */
  static void regs(ByteArrayMemory m, long at, long ip, long sp, long bp, long cs, long value) {
    m.put64(at + PtReg.IP.offset(), ip).put64(at + PtReg.SP.offset(), sp).put64(at + PtReg.BP.offset(), bp)
        .put64(at + PtReg.CS.offset(), cs).put64(at + PtReg.R10.offset(), value).put64(at + PtReg.R13.offset(), value)
        .put64(at + PtReg.DI.offset(), value).put64(at + PtReg.DX.offset(), value);
  }

  @ParameterizedTest
  @EnumSource(value = OrcReg.class, names = {"R10", "R13", "DI", "DX"})
  void registerBasesNeedFullRegs(OrcReg reg) {
    OrcTable t = base(OrcFormat.CURRENT).call(F, reg, 8, UNDEFINED, 0).build();
    long regsAt = STACK + 0x800;
    long cfaBase = STACK + 0x400;
    ByteArrayMemory m = stack();
    regs(m, regsAt, F + 2, STACK + 0x100, 0x77, 0x10, cfaBase);
    m.put64(cfaBase + 8 - 8, OUTER + 3);
    OrcUnwinder uw = new OrcUnwinder(t, m);
    Frame start = uw.fromRegs(regsAt, true, 0);
    assertEquals(F + 2, start.ip());
    assertEquals(0x77, start.bp());
    Unwind u = uw.unwind(start);
    assertEquals(List.of(F + 2, OUTER + 3), ips(u));
    assertEquals(cfaBase + 8, u.frames().get(1).sp());
    // without regs, the unwind cannot find the cfa
    Unwind none = uw.unwind(OrcUnwinder.at(F + 2, STACK + 0x100, 0));
    assertEquals(StopReason.MISSING_REGS, none.reason());
    assertTrue(none.message().contains("base reg " + reg.name().toLowerCase()), none.message());
    assertEquals(1, none.frames().size());
  }

  @Test
  void regsFrameGivesExactIpSpAndBp() {
    // H's entry says a full pt_regs is at sp; the interrupted ip is G exactly, whose entry differs
    // from the one covering G - 1 (a terminator before G), so looking up ip - 1 would fail.
    OrcTable t = base(OrcFormat.CURRENT).undefined(G - 0x10)
        .type(H, OrcType.REGS, SP, 0, UNDEFINED, 0).call(G, SP, 8, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack();
    long interruptedSp = STACK + 0x400;
    regs(m, sp, G, interruptedSp, 0xbeef, 0x10, 0);
    m.put64(interruptedSp, OUTER + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(H, sp, 0));
    assertEquals(List.of(H, G, OUTER + 1), ips(u));
    Frame interrupted = u.frames().get(1);
    assertTrue(interrupted.signal());
    assertTrue(interrupted.fullRegs());
    assertEquals(sp, interrupted.regs());
    assertEquals(0xbeef, interrupted.bp());
    assertEquals(StopReason.END_OF_STACK, u.reason());
  }

  @Test
  void partialRegsFrameHasOnlyTheIretPart() {
    OrcTable t = base(OrcFormat.CURRENT).type(H, OrcType.REGS_PARTIAL, SP, 0, UNDEFINED, 0)
        .call(G, R10, 0, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    long interruptedSp = STACK + 0x400;
    ByteArrayMemory m = stack().put64(sp, G).put64(sp + 8, 0x10).put64(sp + 24, interruptedSp);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(H, sp, 0x55));
    assertEquals(List.of(H, G), ips(u));
    Frame f = u.frames().get(1);
    assertFalse(f.fullRegs());
    assertEquals(sp - PtReg.IRET_OFFSET, f.regs());
    assertEquals(0x55, f.bp()); // not in an iret frame: unchanged
    assertEquals(StopReason.MISSING_REGS, u.reason());
  }

  @Test
  void regsFromUserModeEndTheStack() {
    OrcTable t = base(OrcFormat.CURRENT).type(H, OrcType.REGS, SP, 0, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack();
    regs(m, sp, 0x4000_0000L, 0x7ffd_0000L, 0, 0x33, 0);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(H, sp, 0));
    assertEquals(StopReason.USER_MODE, u.reason());
    assertTrue(u.reliable());
    assertEquals(2, u.frames().size());
  }

  @Test
  void returnAddressesAreLookedUpOneByteBack() {
    // a call at the very end of F (noreturn): the return address is the first byte of G
    OrcTable t = base(OrcFormat.CURRENT).call(F, SP, 16, UNDEFINED, 0).type(G, OrcType.REGS, SP, 0, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack().put64(sp + 8, OUTER + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.returningTo(G, sp, 0));
    assertEquals(List.of(G, OUTER + 1), ips(u));
  }

  @Test
  void signalBitMakesTheNextLookupExact() {
    OrcTable t = base(OrcFormat.CURRENT).undefined(G - 0x10).call(G, SP, 8, UNDEFINED, 0)
        .add(F, io.objtool.orc.OrcEntry.of(OrcFormat.CURRENT, OrcType.CALL, SP, 8, UNDEFINED, 0, true)).build();
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack().put64(sp, G).put64(sp + 8, OUTER + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, sp, 0));
    assertEquals(List.of(F, G, OUTER + 1), ips(u));
    assertTrue(u.frames().get(1).signal());
  }

  @Test
  void format61EndBitAndUndefinedSpReg() {
    OrcTable t = new Tables(OrcFormat.V6_1).end(OUTER).undefined(G).call(F, SP, 8, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack().put64(sp, G + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, sp, 0));
    assertEquals(StopReason.UNDEFINED_ORC, u.reason());
    m.put64(sp, OUTER + 1);
    assertEquals(StopReason.END_OF_STACK, new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, sp, 0)).reason());
  }

  // ---------------------------------------------------------------- guards

  @Test
  void stackGoingTheWrongWay() {
    OrcTable t = base(OrcFormat.CURRENT).call(F, SP, 8, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    // cfa = sp + 8 - 16 via bp: F's entry reads sp:bp-8 to move down
    OrcTable down = base(OrcFormat.CURRENT).call(F, BP, -8, UNDEFINED, 0).build();
    ByteArrayMemory m = stack().put64(sp - 0x40 - 16, F + 1);
    Unwind u = new OrcUnwinder(down, m).unwind(OrcUnwinder.at(F, sp, sp - 0x40));
    assertEquals(StopReason.WRONG_DIRECTION, u.reason());
    assertTrue(u.message().startsWith("stack going in the wrong direction?"), u.message());
    assertEquals(1, u.frames().size());
    assertEquals(StopReason.UNREADABLE_MEMORY, new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, STACK + STACK_SIZE - 4, 0)).reason());
  }

  @Test
  void otherStacksMayLieBelow() {
    // an irq stack high up, the task stack below it
    long irq = 0x9000_0000L;
    OrcTable t = base(OrcFormat.CURRENT).call(F, SP_INDIRECT, 8, UNDEFINED, 0).build();
    ByteArrayMemory m = stack().add(irq, new byte[0x100], 1);
    long taskSp = STACK + 0x200;
    m.put64(irq + 0x80, taskSp).put64(taskSp, OUTER + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, irq + 0x80, 0));
    assertEquals(List.of(F, OUTER + 1), ips(u));
    assertEquals(StopReason.END_OF_STACK, u.reason());
  }

  @Test
  void unreadableWordsStop() {
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack();
    OrcTable ind = base(OrcFormat.CURRENT).call(F, SP_INDIRECT, 0, UNDEFINED, 0).build();
    assertEquals(StopReason.UNREADABLE_MEMORY, new OrcUnwinder(ind, m).unwind(OrcUnwinder.at(F, 0x10, 0)).reason());
    OrcTable bpInd = base(OrcFormat.CURRENT).call(F, BP_INDIRECT, 0, UNDEFINED, 0).build();
    assertEquals(StopReason.UNREADABLE_MEMORY, new OrcUnwinder(bpInd, m).unwind(OrcUnwinder.at(F, sp, 0x10)).reason());
    OrcTable savedBp = base(OrcFormat.CURRENT).call(F, SP, 8, PREV_SP, -0x4000).build();
    m.put64(sp, OUTER + 1);
    Unwind u = new OrcUnwinder(savedBp, m).unwind(OrcUnwinder.at(F, sp, 0));
    assertEquals(StopReason.UNREADABLE_MEMORY, u.reason());
    assertTrue(u.message().contains("saved bp"), u.message());
    OrcTable regs = base(OrcFormat.CURRENT).type(F, OrcType.REGS, SP, STACK_SIZE - 0x100 - 8, UNDEFINED, 0).build();
    assertEquals(StopReason.UNREADABLE_REGS, new OrcUnwinder(regs, m).unwind(OrcUnwinder.at(F, sp, 0)).reason());
    OrcTable iret = base(OrcFormat.CURRENT).type(F, OrcType.REGS_PARTIAL, SP, STACK_SIZE - 0x100 - 8, UNDEFINED, 0).build();
    assertEquals(StopReason.UNREADABLE_REGS, new OrcUnwinder(iret, m).unwind(OrcUnwinder.at(F, sp, 0)).reason());
    assertNull(new OrcUnwinder(regs, m).fromRegs(0x10, true, 0));
  }

  @Test
  void entriesThatCannotBeFollowed() {
    long sp = STACK + 0x100;
    ByteArrayMemory m = stack().put64(sp, OUTER + 1);
    Tables t = base(OrcFormat.CURRENT).undefined(F + 0x10).raw(G, 8, 0, 0x505).raw(H, 8, 0, 0x201)
        .raw(H + 0x10, 8, 0, 0x20c).raw(H + 0x20, 8, 0, 0x225).call(F, SP, 8, UNDEFINED, 0);
    OrcUnwinder uw = new OrcUnwinder(t.build(), m);
    assertEquals(StopReason.NO_ORC_ENTRY, uw.unwind(OrcUnwinder.at(0x10, sp, 0)).reason());
    assertEquals(StopReason.UNDEFINED_ORC, uw.unwind(OrcUnwinder.at(F + 0x18, sp, 0)).reason());
    assertEquals(StopReason.UNKNOWN_TYPE, uw.unwind(OrcUnwinder.at(G, sp, 0)).reason());
    assertEquals(StopReason.UNKNOWN_SP_REG, uw.unwind(OrcUnwinder.at(H, sp, 0)).reason()); // prev_sp is no cfa base
    assertEquals(StopReason.UNKNOWN_SP_REG, uw.unwind(OrcUnwinder.at(H + 0x10, sp, 0)).reason()); // code 12
    Unwind bp = uw.unwind(OrcUnwinder.at(H + 0x20, sp, 0)); // bp reg dx
    assertEquals(StopReason.UNKNOWN_BP_REG, bp.reason());
    assertFalse(bp.reliable());
    for (StopReason r : StopReason.values()) {
      assertEquals(r == StopReason.END_OF_STACK || r == StopReason.USER_MODE, r.reliable());
    }
  }

  @Test
  void frameLimit() {
    OrcTable t = base(OrcFormat.CURRENT).call(F, SP, 8, UNDEFINED, 0).build();
    ByteArrayMemory m = stack();
    for (long a = STACK; a < STACK + STACK_SIZE; a += 8) m.put64(a, F + 1);
    Unwind u = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, STACK, 0), 10);
    assertEquals(StopReason.FRAME_LIMIT, u.reason());
    assertEquals(10, u.frames().size());
    Unwind all = new OrcUnwinder(t, m).unwind(OrcUnwinder.at(F, STACK, 0));
    assertEquals(StopReason.UNREADABLE_MEMORY, all.reason());
    assertEquals(STACK_SIZE / 8 + 1, all.frames().size()); // the last sp is just past the stack
  }

  @Test
  void cursorStepsByHand() {
    OrcTable t = base(OrcFormat.CURRENT).call(F, SP, 8, UNDEFINED, 0).build();
    long sp = STACK + 0x100;
    UnwindCursor c = new OrcUnwinder(t, stack().put64(sp, OUTER + 1)).cursor(OrcUnwinder.at(F, sp, 0));
    assertTrue(c.next());
    assertEquals(OUTER + 1, c.ip());
    assertNull(c.stopReason());
    assertFalse(c.next());
    assertFalse(c.next());
    assertEquals(StopReason.END_OF_STACK, c.stopReason());
    assertEquals(OUTER + 1, c.frame().ip());
  }
}
