package io.objtool.elf.bench;

import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full parse of a big module (default amdgpu.ko: 29 MB, 531k relocations): map, sections,
 * symbols with the by-name and by-address indexes, every relocation section columnar and indexed.
 * Run with {@code scripts/bench.sh objtool-elf ElfParseBench -prof gc} for allocation figures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ElfParseBench {
  /** A module, relative to the corpus cache ($OBJTOOL_CORPUS) or absolute. */
  @Param("6.12/orig/drivers/gpu/drm/amd/amdgpu/amdgpu.ko")
  public String file;

  private Path path;

  @Setup
  public void setup() {
    path = io.objtool.testkit.Oracles.corpus().resolve(file);
    if (!Files.exists(path)) throw new IllegalStateException(path + " missing: run scripts/corpus.sh");
  }

  @Benchmark
  public long parse() {
    try (ElfFile f = ElfFile.open(path)) {
      long n = f.symbols().size();
      for (Section s : f.sections()) {
        Relocations r = s.relocations();
        if (s.isRela() && r != null) n += r.count();
      }
      return n;
    }
  }
}
