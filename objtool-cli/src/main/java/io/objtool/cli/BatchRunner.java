package io.objtool.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a function on every object with a fixed number of worker threads and hands the results
 * to a consumer in input order, each as soon as it and all before it are done. A worker holds
 * one object at a time; a result is dropped once consumed. An object that runs longer than the
 * time limit is reported as timed out and its worker is replaced by a new one (the old thread
 * is abandoned; it cannot be stopped safely), so the pool keeps its width.
 */
final class BatchRunner {
  /** Stack of a worker thread: deep enough for the recursive parts of a check. */
  static final long WORKER_STACK = 16L << 20;

  /** Receives results in input order. */
  interface Sink {
    void accept(int index, FileResult result) throws IOException;
  }

  /** Told of every finished object, in completion order, from the worker's thread. */
  interface Progress {
    void completed(FileResult result) throws IOException;
  }

  private final Function<String, FileResult> work;
  private final int jobs;
  private final long timeoutNanos;

  BatchRunner(Function<String, FileResult> work, int jobs, long timeoutNanos) {
    this.work = work;
    this.jobs = jobs;
    this.timeoutNanos = timeoutNanos;
  }

  void run(List<String> files, Sink sink, Progress progress) throws IOException {
    AtomicInteger threadNo = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(jobs, jobs, 1, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(null, r, "objtool-batch-" + threadNo.incrementAndGet(), WORKER_STACK);
          t.setDaemon(true);
          return t;
        });
    ScheduledExecutorService watchdog = timeoutNanos > 0 ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "objtool-batch-watchdog");
      t.setDaemon(true);
      return t;
    }) : null;
    List<CompletableFuture<FileResult>> futures = new ArrayList<>(files.size());
    for (String f : files) {
      CompletableFuture<FileResult> future = new CompletableFuture<>();
      futures.add(future);
      pool.execute(() -> runOne(f, future, pool, watchdog, progress));
    }
    try {
      for (int i = 0; i < futures.size(); i++) {
        FileResult r;
        try {
          r = futures.get(i).get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        }
        futures.set(i, null);
        sink.accept(i, r);
      }
    } finally {
      pool.shutdownNow();
      if (watchdog != null) watchdog.shutdownNow();
    }
  }

  private void runOne(String file, CompletableFuture<FileResult> future, ThreadPoolExecutor pool,
      ScheduledExecutorService watchdog, Progress progress) {
    long start = System.nanoTime();
    AtomicBoolean decided = new AtomicBoolean(); // the run or the watchdog, whichever is first
    if (watchdog != null) {
      watchdog.schedule(() -> {
        if (decided.compareAndSet(false, true)) {
          synchronized (pool) { // one more thread takes the place of the stuck one
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
            pool.setCorePoolSize(pool.getCorePoolSize() + 1);
          }
          FileResult t = FileResult.timeout(file, System.nanoTime() - start);
          report(progress, t);
          future.complete(t);
        }
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    FileResult r;
    try {
      r = work.apply(file);
    } catch (Throwable t) {
      String msg = Main.internalError(file, t, false) + "\n";
      r = new FileResult(file, 1, false, new byte[0], msg.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          List.of(), System.nanoTime() - start);
    }
    if (decided.compareAndSet(false, true)) {
      report(progress, r); // counted before it can be printed, so the bar is never behind
      future.complete(r);
    }
  }

  private static void report(Progress progress, FileResult r) {
    try {
      progress.completed(r);
    } catch (IOException e) {
      // the progress bar is cosmetic; stderr problems show up when the blocks are printed
    }
  }
}
