package io.objtool.orc;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compares our {@code --dump=orc} with the reference's on every module of a corpus, in one JVM:
 *
 * <pre>
 *   OrcDumpCorpus [6.12|6.1] [EVERY]     every EVERY-th module (default 1: all)
 * </pre>
 *
 * Prints each differing module and a summary line {@code orc dump 6.12: N/M identical}.
 */
public final class OrcDumpCorpus {
  private OrcDumpCorpus() {}

  /** The outcome of a corpus run. */
  record Result(int identical, int total, List<String> differences) {}

  public static void main(String[] args) throws Exception {
    OrcFormat format = OrcFormat.parse(args.length > 0 ? args[0] : "6.12");
    int every = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    Result r = run(format, every);
    if (r == null) {
      System.out.println("orc dump " + format.version() + ": corpus or reference missing");
      return;
    }
    r.differences().forEach(System.out::println);
    System.out.println("orc dump " + format.version() + ": " + r.identical() + "/" + r.total() + " identical");
  }

  /** Runs the comparison on every {@code every}-th module; null when the corpus is not there. */
  static Result run(OrcFormat format, int every) throws Exception {
    Path ref = Reference.binary(format);
    Path root = Reference.modules(format.version());
    if (ref == null || root == null) return null;
    List<Path> all = Reference.listModules(root);
    List<Path> files = new java.util.ArrayList<>();
    for (int i = 0; i < all.size(); i += every) files.add(all.get(i));
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> diffs = new ConcurrentLinkedQueue<>();
    files.parallelStream().forEach(p -> {
      String rel = root.relativize(p).toString();
      String d = Reference.compare(ref, format, root, rel);
      if (d == null) ok.incrementAndGet();
      else diffs.add("DIFF " + rel + ": " + d);
    });
    return new Result(ok.get(), files.size(), List.copyOf(diffs));
  }
}
