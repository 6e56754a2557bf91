package io.objtool.elf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.objtool.testkit.Oracles;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: the ELF reader on arbitrary bytes. An input either parses, and then every section,
 * symbol, relocation, group and string can be read without an exception, or it is refused with a
 * {@link MalformedElfException}; anything else (an {@code IndexOutOfBoundsException} from a read
 * the reader did not validate, a {@code NullPointerException}, running out of memory) is a
 * finding. {@code scripts/fuzz.sh elf SECONDS} fuzzes it; {@code mvn verify} runs the inputs
 * kept in {@code ElfReaderFuzzTestInputs/}, and {@link #seeds} the seeds (made at test time).
 */
class ElfReaderFuzzTest {
  private static final Path NAME = Path.of("fuzz.o");
  /** Small corpus modules the fuzzers start from (scripts/fuzz.sh takes eight under 12 KB). */
  static final List<String> CORPUS_SEEDS = List.of("6.12/stripped/net/6lowpan/nhc_ipv6.ko",
      "6.12/stripped/crypto/crc32_generic.ko", "6.12/stripped/net/key/af_key.ko");

  @TempDir Path dir;

  /** The seeds scripts/fuzz.sh starts from: the fixtures compiled, and small corpus modules. */
  @Test
  void seeds() throws Exception {
    fuzzerTestOneInput(Files.readAllBytes(Fixtures.compile(dir, "sample.c")));
    fuzzerTestOneInput(Files.readAllBytes(Fixtures.compile(dir, "group.s")));
    for (String m : CORPUS_SEEDS) fuzzerTestOneInput(Files.readAllBytes(Oracles.requireCorpusFile(m)));
  }

  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(byte[] data) {
    ElfFile elf;
    try {
      elf = ElfFile.parse(NAME, data);
    } catch (MalformedElfException e) {
      checkOneLine(e);
      return;
    }
    try (elf) {
      touchAll(elf);
    }
  }

  @FuzzTest
  void elf(byte[] data) {
    fuzzerTestOneInput(data);
  }

  static void checkOneLine(ElfException e) {
    String m = e.getMessage();
    if (m == null || !m.startsWith(NAME + ": ") || m.indexOf('\n') >= 0) {
      throw new AssertionError("not a one-line message naming the file: " + m);
    }
  }

  /** Reads everything a pass could read; returns a checksum so nothing is optimised away. */
  static long touchAll(ElfFile elf) {
    long sum = elf.type() + elf.machine() + elf.entry() + elf.size();
    for (Section s : elf.sections()) {
      sum += s.name().length() + s.type() + s.flags() + s.addr() + s.size() + s.link() + s.info();
      MemorySegment d = s.data();
      long n = d.byteSize();
      if (n > 0) sum += d.get(JAVA_BYTE, 0) + d.get(JAVA_BYTE, n - 1);
      if (elf.section(s.name()) == null) throw new AssertionError("section " + s.index() + " not found by name");
      SymbolIndex idx = s.symbols();
      for (Symbol sym : idx.all()) {
        sum += sym.index();
        Symbol c = idx.containing(sym.offset());
        if (c != null) sum += c.index();
        Symbol f = elf.functionContaining(s, sym.offset());
        if (f != null) sum += f.index();
        if (idx.at(sym.offset()) == null) throw new AssertionError("symbol " + sym + " not found at its offset");
      }
      Relocations r = s.relocations();
      if (r != null) {
        for (int i = 0; i < r.count(); i++) {
          sum += r.offset(i) + r.type(i) + r.addend(i) + r.symbol(i).index();
          int k = r.byOffset(i);
          sum += r.offset(k);
          if (r.at(r.offset(i)) < 0) throw new AssertionError("relocation " + i + " not found at its offset");
          sum += r.find(r.offset(i), 8);
        }
      }
      if (s.type() == Elf.SHT_GROUP) {
        sum += elf.groupFlags(s);
        for (Section m : elf.groupMembers(s)) sum += m.index();
      }
      if (s.rela() != null && s.rela().base() != s) throw new AssertionError(s + ": rela/base disagree");
    }
    for (Symbol sym : elf.symbols()) {
      sum += sym.name().length() + sym.info() + sym.other() + sym.value() + sym.size() + sym.sectionIndex();
      if (sym.section() != null && sym.section().file() != elf) throw new AssertionError("foreign section");
      if (!sym.name().isEmpty() && !sym.isSectionSymbol() && elf.symbol(sym.name()) == null) throw new AssertionError("symbol " + sym + " not found by name");
    }
    return sum;
  }
}
