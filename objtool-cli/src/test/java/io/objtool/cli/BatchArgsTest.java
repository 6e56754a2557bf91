package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchArgsTest {
  @Test
  void optionsFlagsAndInputs() throws Exception {
    BatchArgs a = BatchArgs.parse(List.of("-j", "3", "--format=sarif", "--records", "r.jsonl",
        "--timeout=2.5", "--progress", "never", "--no-summary", "--", "--orc", "--link", "--", "a.o", "dir"), 8);
    assertEquals(3, a.jobs());
    assertEquals(BatchArgs.Format.SARIF, a.format());
    assertEquals("r.jsonl", a.records());
    assertEquals(2.5, a.timeoutSeconds());
    assertEquals("never", a.progress());
    assertEquals(false, a.summary());
    assertEquals(List.of("--orc", "--link"), a.flags());
    assertEquals(List.of("a.o", "dir"), a.inputs());
    BatchArgs d = BatchArgs.parse(List.of("--", "--orc", "--", "-"), 8);
    assertEquals(8, d.jobs());
    assertEquals(BatchArgs.Format.TEXT, d.format());
    assertEquals(true, d.summary());
  }

  @Test
  void rejects() {
    for (List<String> bad : List.<List<String>>of(List.of(), List.of("--orc"), List.of("--", "--orc"),
        List.of("--", "--orc", "--"), List.of("--jobs", "--", "--orc", "--", "a"),
        List.of("--jobs=x", "--", "--orc", "--", "a"), List.of("--timeout=-1", "--", "--orc", "--", "a"),
        List.of("--progress=maybe", "--", "--orc", "--", "a"), List.of("--output=x", "--", "--orc", "--", "a"),
        List.of("--format", "yaml", "--", "--orc", "--", "a"))) {
      assertThrows(BatchArgs.Invalid.class, () -> BatchArgs.parse(bad, 2), bad.toString());
    }
    assertThrows(BatchArgs.Help.class, () -> BatchArgs.parse(List.of("--help", "--bogus"), 2));
  }
}
