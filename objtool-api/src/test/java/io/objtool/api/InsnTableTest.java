package io.objtool.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.InsnType;
import org.junit.jupiter.api.Test;

/** The instruction columns: growth, the rare records, the stack-operation numbers, views. */
class InsnTableTest {
  private static InsnTable table(int rows, int capacity) {
    InsnTable t = new InsnTable(null, null, capacity, 7);
    for (int i = 0; i < rows; i++) t.add(null, i * 3, 3, InsnType.NOP.ordinal(), i, 0);
    return t;
  }

  @Test
  void growsPastItsCapacityAndKeepsEveryColumn() {
    InsnTable t = table(1000, 1);
    assertEquals(1000, t.count);
    for (int i = 0; i < 1000; i++) {
      assertEquals(i * 3, t.offset[i]);
      assertEquals(3, t.len[i]);
      assertEquals(i, t.immediate(i));
      assertEquals(-2, t.reloc[i]); // pseudo-instruction rows: not looked up
    }
  }

  @Test
  void wideImmediatesAndRareFieldsLiveInTheRareRecords() {
    InsnTable t = table(300, 300);
    for (int i = 0; i < 300; i += 3) t.setImmediate(i, 0x1_0000_0000L + i);
    for (int i = 0; i < 300; i++) {
      assertEquals(i % 3 == 0 ? 0x1_0000_0000L + i : i, t.immediate(i), "row " + i);
      assertEquals(i % 3 == 0, t.rare(i) != null);
    }
    t.setImmediate(3, 5);
    assertEquals(5, t.immediate(3));
    Instruction x = new Instruction(t, 3);
    assertFalse(x.has(Instruction.DEAD_END | Instruction.FAKE)); // the internal bit is not a flag
    assertEquals(0, x.instr());
  }

  @Test
  void sparseImmediatesKeepTheirValuesAndTakeChanges() {
    InsnTable t = new InsnTable(null, null, 1, 7);
    int n = 20_000;
    for (int i = 0; i < n; i++) t.add(null, i, 1, InsnType.NOP.ordinal(), i % 5 == 0 ? 0 : i % 7 == 0 ? -i : i % 11 == 0 ? 1L << 40 | i : i, 0);
    for (int i = 0; i < n; i++) {
      long want = i % 5 == 0 ? 0 : i % 7 == 0 ? -i : i % 11 == 0 ? 1L << 40 | i : i;
      assertEquals(want, t.immediate(i), "row " + i);
    }
    t.setImmediate(5, 77); // no slot: kept aside
    t.setImmediate(6, 0); // a slot: now zero
    t.setImmediate(7, 1L << 33);
    t.setImmediate(11, 3); // was wide, has no slot
    assertEquals(77, t.immediate(5));
    assertEquals(0, t.immediate(6));
    assertEquals(1L << 33, t.immediate(7));
    assertEquals(3, t.immediate(11));
    t.setImmediate(7, 9); // back into its slot
    assertEquals(9, t.immediate(7));
    assertEquals(8, t.immediate(8));
    assertEquals(-(n - 1), t.immediate(n - 1)); // 19,999 is 7 * 2,857
  }

  @Test
  void stackOperationNumbersWidenPastAChar() {
    InsnTable t = table(10, 10);
    t.setOpsId(2, 65535);
    assertEquals(65535, t.opsId(2));
    t.setOpsId(3, 65536);
    assertEquals(65536, t.opsId(3));
    assertEquals(65535, t.opsId(2));
    assertEquals(0, t.opsId(4));
    t.add(null, 30, 1, InsnType.NOP.ordinal(), 0, 0);
    assertEquals(65536, t.opsId(3));
  }

  @Test
  void viewsOfOneRowAreEqualButNotTheSame() {
    InsnTable t = table(4, 4);
    Instruction a = new Instruction(t, 2), b = new Instruction(t, 2), c = new Instruction(t, 1);
    assertNotSame(a, b);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, c);
    assertNotEquals(a, new Instruction(table(4, 4), 2));
    assertEquals(0, a.index()); // a pseudo-instruction is in no section's list
    assertNull(a.jumpDest());
    assertNull(a.callDest());
    assertTrue(a.equals(b) && b.equals(a));
    assertSame(null, a.altGroup());
  }
}
