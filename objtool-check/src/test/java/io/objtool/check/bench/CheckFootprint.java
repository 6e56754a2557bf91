package io.objtool.check.bench;

import io.objtool.api.Diagnostics;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.arch.Architectures;
import io.objtool.check.Checker;
import io.objtool.elf.ElfFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Memory per instruction and time of a full check ({@code --orc --link --module} validation, no
 * ORC writing) on one object, default amdgpu.ko: retained heap after the check divided by the
 * number of instructions, measured with a full GC before and after.
 *
 * <pre>scripts/bench.sh objtool-check ... is for JMH; run this one with
 *   java -cp (test classpath) io.objtool.check.bench.CheckFootprint [FILE] [RUNS]</pre>
 */
public final class CheckFootprint {
  private CheckFootprint() {}

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return mem.getUsed();
  }

  public static void main(String[] args) {
    Path p = Path.of(args.length > 0 && !args[0].isEmpty() ? args[0]
        : io.objtool.testkit.Oracles.corpus("6.12/stripped/drivers/gpu/drm/amd/amdgpu/amdgpu.ko").toString());
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    for (int r = 0; r < runs; r++) {
      long before = usedAfterGc();
      long t0 = System.nanoTime();
      try (ElfFile elf = ElfFile.open(p)) {
        Options opts = Options.of(p, "orc", "link", "module");
        Diagnostics diag = new Diagnostics(p.toString(), false);
        ObjtoolFile file = new ObjtoolFile(elf, opts, Architectures.forElfMachine(elf.machine()).orElseThrow(), diag);
        int w = new Checker(file, Checker.enabledPasses(opts, CheckFootprint.class.getClassLoader())).runHere();
        long t1 = System.nanoTime();
        long after = usedAfterGc();
        long insns = file.nrInsns();
        System.out.printf("run %d: %,d instructions, %d warnings, check %.0f ms, retained %.1f MB = %.1f bytes/instruction%n",
            r, insns, w, (t1 - t0) / 1e6, (after - before) / 1e6, (double) (after - before) / insns);
        if (file.nrInsns() < 0) System.out.println(file); // keep it reachable until here
      }
    }
  }
}
