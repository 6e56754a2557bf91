package io.objtool.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.Diagnostics;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Warning;
import io.objtool.api.arch.Architectures;
import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sections the annotation passes write ({@code .retpoline_sites}, {@code .return_sites},
 * {@code .call_sites}, {@code .static_call_sites}, {@code .ibt_endbr_seal}, {@code __mcount_loc},
 * {@code .cfi_sites}), the {@code __pfx_} symbols and the rewritten code: each object listed in
 * {@code fixtures/sections.txt} is compiled with its {@code cflags:}, checked by us (in process,
 * then written) and by the reference objtool, and the two outputs must agree section by section
 * — headers, bytes, relocations (offset, type, symbol, addend) and the symbol table — and in
 * their warnings. File layout (section offsets) is free.
 */
class AnnotateSectionsTest {
  private static final Oracles.Tally TALLY = Oracles.tally("annotate-sections", "fixtures' added sections, relocations and warnings (objtool 6.12)");
  @TempDir Path dir;

  static Stream<String> objects() throws IOException {
    try (var in = AnnotateSectionsTest.class.getResourceAsStream("/fixtures/sections.txt")) {
      return new String(in.readAllBytes()).lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList().stream();
    }
  }

  /**
   * The object's flags, less {@code --orc} when the ORC generator is not on the class path
   * (objtool-orc depends on this module, so its tests run without it; the CLI's parity runs
   * cover ORC together with these passes).
   */
  static List<String> flags(Fixture f) {
    boolean orc = false;
    for (io.objtool.api.Pass p : java.util.ServiceLoader.load(io.objtool.api.Pass.class)) orc |= p.option().equals("orc");
    List<String> out = new ArrayList<>(f.objtoolFlags);
    if (!orc) out.remove("--orc");
    return out;
  }

  /** Runs our check on {@code obj} and writes it in place when a pass changed it; returns the warning lines. */
  static List<String> ours(Path obj, List<String> flags) {
    Options opts = Options.of(obj, flags.stream().map(f -> f.replaceFirst("^--", "")).toArray(String[]::new));
    try (ElfFile elf = ElfFile.open(obj)) {
      Diagnostics diag = new Diagnostics(obj.toString(), opts.secAddress());
      ObjtoolFile file = new ObjtoolFile(elf, opts, Architectures.forElfMachine(elf.machine()).orElseThrow(), diag);
      new Checker(file, Checker.enabledPasses(opts, AnnotateSectionsTest.class.getClassLoader())).run();
      if (file.changed()) io.objtool.elf.edit.ElfEdit.write(elf, obj);
      return diag.warnings().stream().map(Warning::line).toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objects")
  void outputIsTheReferences(String name) throws Exception {
    Fixture.requireReference();
    Fixture f = Fixture.load(name);
    Path obj = f.compile(dir);
    Path mine = dir.resolve("ours.o");
    Files.copy(obj, mine, StandardCopyOption.REPLACE_EXISTING);
    List<String> flags = flags(f);
    List<String> ourWarnings = ours(mine, flags);
    List<String> refWarnings = Fixture.reference(obj, flags); // writes ref-<obj>
    TALLY.compare(() -> {
      assertEquals(refWarnings, ourWarnings.stream().map(l -> l.replace(mine.toString(), obj.toString())).toList(), name + ": warnings");
      List<String> diffs = compare(obj.resolveSibling("ref-" + obj.getFileName()), mine);
      assertTrue(diffs.isEmpty(), name + ": outputs differ:\n  " + String.join("\n  ", diffs));
    });
  }

  /** The comparison must see a difference in any of the things it compares. */
  @Test
  void comparisonSeesDifferences() throws Exception {
    Fixture.requireReference();
    Fixture f = Fixture.load("sections-module.c");
    Path obj = f.compile(dir);
    Path a = dir.resolve("a.o");
    Path b = dir.resolve("b.o");
    Files.copy(obj, a);
    Files.copy(obj, b);
    ours(a, flags(f));
    assertTrue(compare(a, a).isEmpty());
    List<String> d = compare(a, b); // b unchanged: the added sections are missing
    assertTrue(d.stream().anyMatch(s -> s.contains("section count")), d.toString());
    Path c = dir.resolve("c.o");
    Files.copy(obj, c);
    List<String> noPrefix = new ArrayList<>(flags(f));
    noPrefix.remove("--prefix=16");
    ours(c, noPrefix);
    d = compare(a, c);
    assertTrue(d.stream().anyMatch(s -> s.contains(".symtab")), d.toString());
  }

  /** Section-by-section differences between two objects (empty when they agree). */
  static List<String> compare(Path expected, Path actual) {
    List<String> out = new ArrayList<>();
    try (ElfFile e = ElfFile.open(expected); ElfFile a = ElfFile.open(actual)) {
      if (e.sections().size() != a.sections().size()) {
        out.add("section count " + e.sections().size() + " vs " + a.sections().size());
      }
      int n = Math.min(e.sections().size(), a.sections().size());
      for (int i = 1; i < n; i++) {
        Section x = e.section(i), y = a.section(i);
        String hx = header(x), hy = header(y);
        if (!hx.equals(hy)) {
          out.add("[" + i + "] header " + hx + " vs " + hy);
          continue;
        }
        if (x.type() == Elf.SHT_RELA) {
          List<String> rx = relocs(x), ry = relocs(y);
          if (!rx.equals(ry)) out.add("[" + i + "] " + x.name() + ": " + firstDiff(rx, ry));
        } else if (x.type() == Elf.SHT_SYMTAB) {
          List<String> sx = symbols(e), sy = symbols(a);
          if (!sx.equals(sy)) out.add("[" + i + "] .symtab: " + firstDiff(sx, sy));
        } else if (x.type() != Elf.SHT_NOBITS) {
          byte[] bx = x.data().toArray(ValueLayout.JAVA_BYTE), by = y.data().toArray(ValueLayout.JAVA_BYTE);
          if (!Arrays.equals(bx, by)) out.add("[" + i + "] " + x.name() + ": bytes differ at " + Arrays.mismatch(bx, by));
        }
      }
    }
    return out;
  }

  private static String header(Section s) {
    return s.name() + " type=" + s.type() + " flags=" + s.flags() + " entsize=" + s.entsize() + " align="
        + s.addralign() + " size=" + s.size() + " link=" + s.link() + " info=" + s.info();
  }

  private static String symName(Symbol s) {
    return s.isSectionSymbol() && s.section() != null ? "section " + s.section().name() : s.name();
  }

  private static List<String> relocs(Section rela) {
    Relocations r = rela.relocations();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.count(); i++) {
      out.add("0x" + Long.toHexString(r.offset(i)) + " type " + r.type(i) + " " + symName(r.symbol(i)) + " " + r.addend(i));
    }
    return out;
  }

  private static List<String> symbols(ElfFile f) {
    List<String> out = new ArrayList<>();
    for (Symbol s : f.symbols()) {
      out.add(s.index() + " " + symName(s) + " info=" + s.info() + " other=" + s.other() + " shndx=" + s.sectionIndex()
          + " value=" + s.value() + " size=" + s.size());
    }
    return out;
  }

  private static String firstDiff(List<String> x, List<String> y) {
    for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
      String a = i < x.size() ? x.get(i) : "(none)", b = i < y.size() ? y.get(i) : "(none)";
      if (!a.equals(b)) return "entry " + i + ": " + a + " vs " + b;
    }
    return "equal";
  }
}
