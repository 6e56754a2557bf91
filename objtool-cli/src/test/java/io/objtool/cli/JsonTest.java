package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void writesValues() {
    assertEquals("{\"a\":[1,2.5,true,null,\"x\"],\"b\":{}}",
        Json.write(Json.obj("a", Arrays.asList(1, 2.5, true, null, "x"), "b", Json.obj())));
    assertEquals("\"q\\\" b\\\\ n\\n t\\t c\\u0001 \\u00e9\"", Json.write("q\" b\\ n\n t\t c\u0001 é"));
    assertEquals("[9007199254740993]", Json.write(List.of(9007199254740993L)));
  }

  @Test
  void rejectsWhatJsonCannotSay() {
    assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    assertThrows(IllegalArgumentException.class, () -> Json.obj("odd"));
  }
}
