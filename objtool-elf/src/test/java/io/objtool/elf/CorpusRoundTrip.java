package io.objtool.elf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Corpus checks of the ELF layer, runnable as a program over many objects in one JVM:
 *
 * <pre>
 *   CorpusRoundTrip identity  OUTDIR FILE...   read + unmodified write, byte-compare
 *   CorpusRoundTrip re-add-orc OUTDIR ORIG-DIR STRIPPED-DIR LIST  write the ORC sections of ORIG into STRIPPED
 * </pre>
 *
 * Prints one line per failure and a summary line {@code elf identity: N/M identical}.
 */
public final class CorpusRoundTrip {
  private CorpusRoundTrip() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    switch (args[0]) {
      case "identity" -> {
        List<Path> files = expand(List.of(args).subList(2, args.length));
        AtomicInteger ok = new AtomicInteger();
        files.parallelStream().forEach(p -> {
          String r = identity(p, out.resolve(Thread.currentThread().threadId() + ".o"));
          if (r == null) ok.incrementAndGet();
          else System.out.println("DIFF " + p + ": " + r);
        });
        System.out.println("elf identity: " + ok.get() + "/" + files.size() + " identical");
      }
      case "re-add-orc" -> {
        Path orig = Path.of(args[2]);
        Path stripped = Path.of(args[3]);
        List<String> rels = Files.readAllLines(Path.of(args[4]));
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger none = new AtomicInteger();
        rels.parallelStream().forEach(rel -> {
          Path dst = out.resolve(rel);
          try {
            Files.createDirectories(dst.getParent());
            Files.copy(stripped.resolve(rel), dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (!reAddOrc(orig.resolve(rel), dst)) {
              none.incrementAndGet();
              System.out.println("NOORC " + rel);
              return;
            }
            ok.incrementAndGet();
          } catch (IOException | RuntimeException e) {
            System.out.println("FAIL " + rel + ": " + e.getMessage());
          }
        });
        System.out.println("elf re-add-orc: " + ok.get() + "/" + (rels.size() - none.get()) + " written (" + none.get() + " without ORC)");
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  static List<Path> expand(List<String> args) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String a : args) {
      Path p = Path.of(a);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(f -> f.toString().endsWith(".ko") || f.toString().endsWith(".o")).sorted().forEach(files::add);
        }
      } else {
        files.add(p);
      }
    }
    return files;
  }

  /** Null when reading and writing {@code in} unchanged reproduces it, else the first difference. */
  static String identity(Path in, Path tmp) {
    try (ElfFile f = ElfFile.open(in)) {
      f.write(tmp);
      byte[] a = Files.readAllBytes(in);
      byte[] b = Files.readAllBytes(tmp);
      if (a.length != b.length) return "size " + a.length + " != " + b.length;
      long m = MemorySegment.mismatch(MemorySegment.ofArray(a), 0, a.length, MemorySegment.ofArray(b), 0, b.length);
      return m < 0 ? null : "first difference at offset " + m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies the sections {@code .orc_unwind} and {@code .orc_unwind_ip} with its relocations from
   * {@code orig} into {@code dst} (the same object with them stripped), through the writer.
   */
  static boolean reAddOrc(Path orig, Path dst) {
    try (ElfFile src = ElfFile.open(orig); ElfFile out = ElfFile.open(dst)) {
      Section ou = src.section(".orc_unwind");
      Section oip = src.section(".orc_unwind_ip");
      if (ou == null || oip == null) return false;
      Section nu = out.addSection(".orc_unwind", ou.type(), ou.flags(), ou.entsize(), ou.addralign(), ou.data().toArray(ValueLayout.JAVA_BYTE));
      Section nip = out.addSection(".orc_unwind_ip", oip.type(), oip.flags(), oip.entsize(), oip.addralign(), oip.data().toArray(ValueLayout.JAVA_BYTE));
      Relocations from = oip.relocations();
      Relocations to = out.relocationsFor(nip);
      for (int i = 0; i < from.count(); i++) {
        Symbol s = from.symbol(i);
        Symbol t;
        if (s.isSectionSymbol()) {
          t = out.sectionSymbol(out.section(s.section().name()));
        } else {
          t = out.symbol(s.name());
          if (t == null) throw new IllegalStateException("no symbol " + s.name());
        }
        to.add(from.offset(i), from.type(i), t, from.addend(i));
      }
      if (nu.index() < 0) throw new AssertionError();
      out.write(dst);
      return true;
    }
  }
}
