package io.objtool.orc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.objtool.elf.ElfFile;
import io.objtool.elf.MalformedElfException;
import io.objtool.orc.unwind.FastLookup;
import io.objtool.orc.unwind.OrcTable;
import io.objtool.orc.unwind.OrcTableException;
import io.objtool.orc.unwind.OrcTableLoader;
import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: {@code --dump=orc} and the ORC table loader on arbitrary objects (seeded with
 * objects that have ORC sections). The dump either succeeds or stops with the reference's
 * {@link OrcDump.DumpError}; the loader either loads a table or refuses with
 * {@link OrcTableException}; the fast lookup agrees with the table's binary search. Anything
 * else is a finding. {@code scripts/fuzz.sh orc SECONDS} fuzzes it.
 */
class OrcDumpFuzzTest {
  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(byte[] data) {
    ElfFile elf;
    try {
      elf = ElfFile.parse(Path.of("fuzz.o"), data);
    } catch (MalformedElfException e) {
      return;
    }
    try (elf) {
      for (OrcFormat format : OrcFormat.values()) {
        try {
          OrcDump.toString(elf, format);
        } catch (OrcDump.DumpError e) {
          // the reference's warning
        }
        OrcTable table;
        try {
          table = OrcTableLoader.load(elf, format);
        } catch (OrcTableException e) {
          continue;
        }
        if (table.size() == 0 || table.ip(0) == -1L) continue;
        FastLookup fast = FastLookup.build(table);
        for (int i = 0; i < table.size(); i++) {
          long ip = table.ip(i);
          for (long probe : new long[] {ip - 1, ip, ip + 1}) {
            int a = table.find(probe);
            int b = fast.find(probe);
            if (a != b && (a < 0 || b < 0 || table.ip(a) != table.ip(b))) {
              throw new AssertionError("lookup of " + Long.toHexString(probe) + ": table " + a + ", fast " + b);
            }
          }
        }
      }
    }
  }

  @TempDir Path dir;

  /** Seeds made at test time: small corpus modules with ORC written by the reference objtool. */
  @Test
  void seeds() throws Exception {
    Path ref = Oracles.requireReference("6.12");
    for (String m : List.of("6.12/stripped/net/6lowpan/nhc_ipv6.ko", "6.12/stripped/crypto/crc32_generic.ko")) {
      Path copy = dir.resolve(Path.of(m).getFileName());
      Files.copy(Oracles.requireCorpusFile(m), copy);
      Fixtures.run(List.of(ref.toString(), "--orc", "--link", "--module", copy.toString()));
      byte[] seed = Files.readAllBytes(copy);
      try (ElfFile elf = ElfFile.parse(copy, seed)) {
        org.junit.jupiter.api.Assertions.assertTrue(OrcTableLoader.load(elf, OrcFormat.CURRENT).size() > 0, m);
      }
      fuzzerTestOneInput(seed);
    }
  }

  @FuzzTest
  void dump(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
