package io.objtool.orc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class OrcFormatTest {
  @Test
  void currentLayoutBits() {
    // type call (2) in bits 8-10, bp prevsp (1) in bits 4-7, sp sp (5) in bits 0-3
    OrcEntry e = OrcEntry.call(OrcFormat.CURRENT, OrcReg.SP, 16, OrcReg.PREV_SP, -16);
    assertEquals(0x215, e.rawFlags());
    assertEquals(0x000, OrcEntry.undefined(OrcFormat.CURRENT).rawFlags());
    assertEquals(0x100, OrcEntry.endOfStack(OrcFormat.CURRENT).rawFlags());
    assertEquals(0x300 | 0x45, OrcEntry.of(OrcFormat.CURRENT, OrcType.REGS, OrcReg.SP, 0, OrcReg.BP, 0, false).rawFlags());
    assertEquals(0x400 | 0x800 | 0x9, OrcEntry.of(OrcFormat.CURRENT, OrcType.REGS_PARTIAL, OrcReg.SP_INDIRECT, 0, OrcReg.UNDEFINED, 0, true).rawFlags());
  }

  @Test
  void v61LayoutBits() {
    assertEquals(0x015, OrcEntry.call(OrcFormat.V6_1, OrcReg.SP, 16, OrcReg.PREV_SP, -16).rawFlags());
    assertEquals(0x000, OrcEntry.undefined(OrcFormat.V6_1).rawFlags());
    assertEquals(0x400, OrcEntry.endOfStack(OrcFormat.V6_1).rawFlags());
    assertEquals(0x105, OrcEntry.of(OrcFormat.V6_1, OrcType.REGS, OrcReg.SP, 0, OrcReg.UNDEFINED, 0, false).rawFlags());
    assertEquals(0x205, OrcEntry.of(OrcFormat.V6_1, OrcType.REGS_PARTIAL, OrcReg.SP, 0, OrcReg.UNDEFINED, 0, false).rawFlags());
    assertThrows(IllegalArgumentException.class,
        () -> OrcEntry.of(OrcFormat.V6_1, OrcType.CALL, OrcReg.SP, 8, OrcReg.UNDEFINED, 0, true));
  }

  @Test
  void roundTripEveryTypeAndReg() {
    for (OrcFormat f : OrcFormat.values()) {
      for (OrcType t : OrcType.values()) {
        for (OrcReg sp : OrcReg.values()) {
          for (OrcReg bp : OrcReg.values()) {
            boolean undefinedSp61 = f == OrcFormat.V6_1 && (t == OrcType.UNDEFINED || t == OrcType.END_OF_STACK);
            OrcEntry e = OrcEntry.of(f, t, sp, -32768, bp, 32767, false);
            OrcEntry back = OrcEntry.read(f, MemorySegment.ofArray(e.toBytes()), 0);
            assertEquals(e, back);
            assertEquals(undefinedSp61 ? OrcReg.UNDEFINED : sp, back.spReg());
            assertEquals(bp, back.bpReg());
            assertEquals(-32768, back.spOffset());
            assertEquals(32767, back.bpOffset());
            if (!(f == OrcFormat.V6_1 && sp == OrcReg.UNDEFINED)) assertEquals(t, back.kind(), f + " " + t + " " + sp);
          }
        }
      }
    }
  }

  @Test
  void signalAndEndBits() {
    OrcEntry s = OrcEntry.of(OrcFormat.CURRENT, OrcType.CALL, OrcReg.SP, 8, OrcReg.UNDEFINED, 0, true);
    assertTrue(s.signal());
    assertFalse(s.end());
    assertTrue(OrcEntry.endOfStack(OrcFormat.V6_1).end());
    assertTrue(OrcEntry.endOfStack(OrcFormat.CURRENT).end());
    // 6.1 ignores bit 11; 6.12 ignores bits 12-15
    assertFalse(new OrcEntry(OrcFormat.V6_1, (short) 0, (short) 0, (short) 0x805).signal());
    assertEquals(OrcType.CALL, new OrcEntry(OrcFormat.CURRENT, (short) 8, (short) 0, (short) 0xf205).kind());
  }

  @Test
  void unassignedCodesDecodeToNullAndDumpAsQuestionMark() {
    OrcEntry e = new OrcEntry(OrcFormat.CURRENT, (short) 4, (short) -8, (short) 0x5ab);
    assertNull(e.type());
    assertNull(e.spReg());
    assertNull(e.bpReg());
    assertEquals("type:? sp:?+4 bp:?-8 signal:0", e.toString());
    assertEquals(" sp:?+4 bp:?-8 type:? end:0", new OrcEntry(OrcFormat.V6_1, (short) 4, (short) -8, (short) 0x3ab).toString());
  }

  @Test
  void dumpText() {
    assertEquals("type:call sp:sp+16 bp:prevsp-16 signal:0",
        OrcEntry.call(OrcFormat.CURRENT, OrcReg.SP, 16, OrcReg.PREV_SP, -16).toString());
    assertEquals("type:call sp:(bp-40) bp:bp+0 signal:0",
        OrcEntry.call(OrcFormat.CURRENT, OrcReg.BP_INDIRECT, -40, OrcReg.BP, 0).toString());
    assertEquals("type:regs (partial) sp:(sp)+8 bp:(und) signal:1",
        OrcEntry.of(OrcFormat.CURRENT, OrcType.REGS_PARTIAL, OrcReg.SP_INDIRECT, 8, OrcReg.UNDEFINED, 0, true).toString());
    assertEquals("type:(und) sp:(und) bp:(und) signal:0", OrcEntry.undefined(OrcFormat.CURRENT).toString());
    assertEquals("type:end sp:(und) bp:(und) signal:0", OrcEntry.endOfStack(OrcFormat.CURRENT).toString());
    assertEquals(" sp:(und) bp:(und) type:call end:1", OrcEntry.endOfStack(OrcFormat.V6_1).toString());
    assertEquals(" sp:r10+0 bp:(und) type:regs end:0",
        OrcEntry.of(OrcFormat.V6_1, OrcType.REGS, OrcReg.R10, 0, OrcReg.UNDEFINED, 0, false).toString());
  }

  @Test
  void environmentSelector() {
    assertEquals(OrcFormat.CURRENT, OrcFormat.parse(null));
    assertEquals(OrcFormat.CURRENT, OrcFormat.parse(""));
    assertEquals(OrcFormat.CURRENT, OrcFormat.parse("6.12"));
    assertEquals(OrcFormat.CURRENT, OrcFormat.parse("current"));
    assertEquals(OrcFormat.V6_1, OrcFormat.parse("6.1"));
    assertEquals(OrcFormat.V6_1, OrcFormat.parse(" 6.1 "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrcFormat.parse("5.10"));
    assertTrue(e.getMessage().startsWith("OBJTOOL_ORC_FORMAT: "));
    assertEquals("OBJTOOL_ORC_FORMAT", OrcFormat.ENV);
  }

  @Test
  void offsetsMustFitSixteenBits() {
    assertThrows(IllegalArgumentException.class, () -> OrcEntry.call(OrcFormat.CURRENT, OrcReg.SP, 40000, OrcReg.UNDEFINED, 0));
  }
}
