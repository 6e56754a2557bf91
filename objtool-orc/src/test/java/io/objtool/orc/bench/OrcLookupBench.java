package io.objtool.orc.bench;

import io.objtool.elf.ElfFile;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;
import io.objtool.orc.unwind.ByteArrayMemory;
import io.objtool.orc.unwind.FastLookup;
import io.objtool.orc.unwind.OrcLookup;
import io.objtool.orc.unwind.OrcTable;
import io.objtool.orc.unwind.OrcTableLoader;
import io.objtool.orc.unwind.OrcUnwinder;
import io.objtool.orc.unwind.UnwindCursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Orc lookups and unwinds on a big module's table (default amdgpu.ko, 138k entries, relocated
 * with its sections laid out from 0): lookup ns/op at random ips by plain binary search and with
 * the 32k-block fast lookup table, and unwind ns/frame of a synthetic {@value #FRAMES}-frame
 * stack whose frames are sp-based call frames of the table. Run with
 * {@code scripts/bench.sh objtool-orc OrcLookupBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OrcLookupBench {
  static final int FRAMES = 64;
  private static final int PROBES = 1 << 16;
  private static final long STACK = 0x7000_0000L;

  /** A module, relative to the corpus cache ($OBJTOOL_CORPUS) or absolute. */
  @Param("6.12/orig/drivers/gpu/drm/amd/amdgpu/amdgpu.ko")
  public String file;

  private OrcTable table;
  private FastLookup fast;
  private long[] probes;
  private int next;
  private ByteArrayMemory stack;
  private long startIp;

  @Setup
  public void setup() {
    Path path = io.objtool.testkit.Oracles.corpus().resolve(file);
    if (!Files.exists(path)) throw new IllegalStateException(path + " missing: run scripts/corpus.sh");
    try (ElfFile f = ElfFile.open(path)) {
      table = OrcTableLoader.load(f, OrcFormat.CURRENT);
    }
    fast = FastLookup.build(table);
    Random r = new Random(42);
    long lo = table.ip(0);
    long span = table.ip(table.size() - 1) - lo;
    probes = new long[PROBES];
    for (int i = 0; i < PROBES; i++) probes[i] = lo + (long) (r.nextDouble() * span);
    buildStack(r);
    System.err.println("orc table: " + table.size() + " entries over " + span + " bytes");
  }

  /** Chains FRAMES random sp-based call frames; the last returns into an undefined entry. */
  private void buildStack(Random r) {
    List<Integer> calls = new ArrayList<>();
    int undefined = -1;
    for (int i = 0; i < table.size(); i++) {
      if (table.find(table.ip(i)) != i) continue; // a duplicate ip: not the entry a lookup finds
      var e = table.entry(i);
      if (e.kind() == OrcType.CALL && e.spReg() == OrcReg.SP && e.spOffset() >= 8 && e.bpReg() == OrcReg.UNDEFINED) calls.add(i);
      else if (e.kind() == OrcType.UNDEFINED && undefined < 0 && i > 0) undefined = i;
    }
    int[] chain = new int[FRAMES];
    int bytes = 0;
    for (int k = 0; k < FRAMES; k++) {
      chain[k] = calls.get(r.nextInt(calls.size()));
      bytes += table.spOffset(chain[k]);
    }
    stack = new ByteArrayMemory().zeroed(STACK, bytes + 64);
    long sp = STACK;
    startIp = table.ip(chain[0]);
    for (int k = 0; k < FRAMES; k++) {
      long cfa = sp + table.spOffset(chain[k]);
      long ret = k + 1 < FRAMES ? table.ip(chain[k + 1]) + 1 : table.ip(undefined) + 1;
      stack.put64(cfa - 8, ret);
      sp = cfa;
    }
    int n = walk(fast);
    if (n != FRAMES + 1) throw new IllegalStateException("synthetic stack unwound " + n + " frames, not " + (FRAMES + 1));
  }

  private int walk(OrcLookup lookup) {
    UnwindCursor c = new OrcUnwinder(lookup, stack).cursor(OrcUnwinder.at(startIp, STACK, 0));
    int n = 1;
    while (c.next()) n++;
    return n;
  }

  private long probe() {
    return probes[next++ & (PROBES - 1)];
  }

  @Benchmark
  public int lookupBinarySearch() {
    return table.find(probe());
  }

  @Benchmark
  public int lookupFastTable() {
    return fast.find(probe());
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public int unwindPerFrameBinarySearch() {
    return walk(table);
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public int unwindPerFrameFastTable() {
    return walk(fast);
  }
}
