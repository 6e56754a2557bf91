package io.objtool.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The objtool server: a warm JVM that runs {@code bin/objtool} requests from the native client
 * ({@link ServerProtocol}) on a Unix domain socket of its build ({@link ServerFiles}).
 *
 * <p>Every connection's peer must be this user ({@code SO_PEERCRED}); others are refused. A
 * request runs in a {@link RunContext} of its client's working directory and environment, with its
 * own passes (and plug-in class loader, {@link PluginLoaders}), on its connection's thread, once
 * one of the worker slots (one per processor) is free and {@link MemoryBudget} admits its
 * estimated heap. Its output is kept in order
 * and sent whole with the exit status, so a client whose server dies mid-request has printed
 * nothing and can run the request itself. A client that goes away abandons its request: the
 * object is left untouched (or, when the write had begun, written whole: writes are atomic).
 * A bad request, a failing run or a throwing plug-in ends only that request, with one log line.
 * After {@code idle} without requests the server exits, and so it does when idle once its
 * checkout was rebuilt (its build key changed).
 */
final class ObjtoolServer {
  private static final long REQUEST_READ_MILLIS = 10_000;
  private static final long SWEEP_MILLIS = 1000;
  /** Connection threads kept waiting in accept beyond the one always there. */
  private static final int SPARE_THREADS = 4;

  private final Path dir;
  private final String key;
  private final Path root;
  private final Duration idle;
  private final Path socket;
  private final UserPrincipal self;
  private final java.util.concurrent.Semaphore slots;
  private final int jobs;
  private final MemoryBudget budget;
  private final PluginLoaders plugins;
  private final ServerLog log;
  private final Charset charset;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "objtool-server-timer");
    t.setDaemon(true);
    return t;
  });
  private final long startNanos = System.nanoTime();
  private final AtomicLong served = new AtomicLong();
  /** Nanoseconds from a request read whole to its exit status sent, summed over served requests. */
  private final AtomicLong busyNanos = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  /** Connection threads waiting in accept (or about to): at least one while the server listens. */
  private final AtomicInteger idleThreads = new AtomicInteger();
  private final AtomicInteger threadNames = new AtomicInteger();
  /** The connections being read or run, for the sweeper's read deadlines and heartbeats. */
  private final java.util.Set<Connection> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
  private volatile long lastActivity = System.nanoTime();
  private volatile boolean stopping;
  private ServerSocketChannel listener;

  ObjtoolServer(Path dir, String key, Path root, Duration idle, int jobs, ServerLog log) throws IOException {
    this.dir = dir;
    this.key = key;
    this.root = root;
    this.idle = idle;
    this.socket = ServerFiles.socket(dir, key);
    this.self = ServerFiles.self();
    this.log = log;
    this.jobs = jobs;
    this.slots = new java.util.concurrent.Semaphore(jobs, true);
    this.budget = new MemoryBudget((long) (Runtime.getRuntime().maxMemory() * 0.8));
    this.plugins = new PluginLoaders(ObjtoolServer.class.getClassLoader());
    String enc = System.getProperty("stdout.encoding", System.getProperty("native.encoding", "UTF-8"));
    this.charset = Charset.isSupported(enc) ? Charset.forName(enc) : StandardCharsets.UTF_8;
  }

  /**
   * Takes the build's lock, listens and serves until stopped or idle; returns false at once when
   * another server of this build holds the lock.
   */
  boolean serve() throws IOException {
    FileChannel lockFile = FileChannel.open(ServerFiles.lock(dir, key), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = lockFile.tryLock();
    if (lock == null) {
      lockFile.close();
      return false;
    }
    Files.deleteIfExists(socket); // the lock is ours: no live server listens there
    listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    Files.deleteIfExists(ServerFiles.spawn(dir, key));
    log.line("started: pid " + ProcessHandle.current().pid() + ", build " + key + " (" + root + "), "
        + jobs + " workers, heap budget " + mib(budget.total()) + ", idle exit after " + idle);
    long tick = Math.max(200, Math.min(idle.toMillis() / 4, 30_000));
    timer.scheduleWithFixedDelay(this::idleCheck, tick, tick, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    try {
      startThread();
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Files.deleteIfExists(socket);
      // requests under way finish and answer before the JVM goes
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (active.get() > 0 && System.nanoTime() < until) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          break;
        }
      }
      lock.release();
      lockFile.close();
    }
    return true;
  }

  /**
   * Starts a connection thread. Each one accepts a connection and serves it from request to reply
   * itself, so a request meets no hand-off between threads (each costs a scheduling delay on a busy
   * machine); the thread that takes the last idle one's place in accept starts another, and
   * threads beyond a few spare ones end when their connection does. At most {@code jobs} of them run
   * objtool at once ({@link #slots}).
   */
  private void startThread() {
    idleThreads.incrementAndGet();
    // the walk recurses deeply: stacks as large as bin/objtool's main thread (-Xss16m)
    Thread t = new Thread(null, this::acceptLoop, "objtool-connection-" + threadNames.incrementAndGet(), 16L << 20);
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    for (;;) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (IOException e) {
        idleThreads.decrementAndGet();
        if (stopping || !listener.isOpen()) return;
        log.line("accepting a connection: " + e.getMessage());
        try {
          Thread.sleep(100); // e.g. out of file descriptors: let requests under way finish
        } catch (InterruptedException ie) {
          return;
        }
        idleThreads.incrementAndGet();
        continue;
      }
      active.incrementAndGet();
      lastActivity = System.nanoTime();
      if (idleThreads.decrementAndGet() == 0) startThread();
      try {
        handle(ch);
      } finally {
        lastActivity = System.nanoTime();
        active.decrementAndGet();
      }
      if (stopping) return;
      if (idleThreads.incrementAndGet() > SPARE_THREADS) {
        idleThreads.decrementAndGet();
        return;
      }
    }
  }

  /**
   * Once every {@value #SWEEP_MILLIS} ms: drops connections whose request is not complete after
   * {@value #REQUEST_READ_MILLIS} ms, and sends every accepted request's client a heartbeat (the
   * first one is the {@link ServerProtocol#ACCEPTED} frame; a request answered before it needs
   * none, its reply comes in one write).
   */
  private void sweep() {
    long now = System.nanoTime();
    for (Connection c : live) {
      try {
        if (c.accepted) c.beat();
        else if (now - c.since > TimeUnit.MILLISECONDS.toNanos(REQUEST_READ_MILLIS)) c.late();
      } catch (RuntimeException e) {
        // an exception would end the periodic sweeps: every other connection still gets its turn
        log.line("internal error in the sweeper: " + e);
      }
    }
  }

  private void idleCheck() {
    if (active.get() != 0) return;
    if (System.nanoTime() - lastActivity >= idle.toNanos()) {
      shutdown("idle for " + idle + ": exiting");
      return;
    }
    // a rebuild gives the checkout another key: no client will come back to this server
    try {
      String now = ServerFiles.buildKey(root);
      if (!now.equals(key)) shutdown("the build changed (now " + now + "): exiting");
    } catch (IOException e) {
      log.line("cannot read the build's jars: " + e.getMessage());
    }
  }

  private void shutdown(String why) {
    if (stopping) return;
    stopping = true;
    log.line(why);
    stopped.countDown();
    try {
      Files.deleteIfExists(socket);
      listener.close();
    } catch (IOException e) {
      log.line("closing the socket: " + e.getMessage());
    }
  }

  private void handle(SocketChannel ch) {
    Connection c = new Connection(ch);
    live.add(c);
    try (ch) {
      UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (!peer.user().equals(self)) {
        log.line("refused a connection from user " + peer.user().getName() + ": not the server's user");
        return;
      }
      ServerProtocol.Request req;
      try {
        req = ServerProtocol.read(ch);
      } catch (ServerProtocol.BadRequest e) {
        log.line("bad request: " + e.getMessage());
        return;
      } catch (EOFException e) {
        log.line("truncated request: " + e.getMessage());
        return;
      } catch (IOException e) {
        log.line(c.late ? "request not complete after " + REQUEST_READ_MILLIS / 1000 + " s: dropped"
            : "reading a request: " + e.getMessage());
        return;
      }
      if (!req.key().equals(key)) {
        log.line("request for build " + req.key() + " refused: this server runs build " + key);
        fallBack(ch, "the server runs another build");
        return;
      }
      switch (req.kind()) {
        case ServerProtocol.STATUS -> {
          byte[] s = status().getBytes(StandardCharsets.UTF_8);
          ServerProtocol.frame(ch, ServerProtocol.STDOUT, s, 0, s.length);
          ServerProtocol.exit(ch, 0);
        }
        case ServerProtocol.STOP -> {
          ServerProtocol.exit(ch, 0);
          shutdown("stop requested");
        }
        default -> run(c, req);
      }
    } catch (IOException e) {
      log.line("connection lost: " + e.getMessage());
    } catch (Throwable t) {
      log.line("internal error in a connection: " + t);
    } finally {
      live.remove(c);
    }
  }

  private static void fallBack(SocketChannel ch, String why) throws IOException {
    byte[] b = why.getBytes(StandardCharsets.UTF_8);
    ServerProtocol.frame(ch, ServerProtocol.FALL_BACK, b, 0, b.length);
  }

  private void run(Connection c, ServerProtocol.Request req) throws IOException, InterruptedException {
    long begun = System.nanoTime();
    SocketChannel ch = c.ch;
    Path cwd = Path.of(req.cwd());
    if (!cwd.isAbsolute()) {
      log.line("bad request: working directory '" + req.cwd() + "' is not absolute");
      fallBack(ch, "the working directory is not absolute");
      return;
    }
    PluginLoaders.Loaded loaded;
    try {
      loaded = plugins.loaderFor(req.env().get(PluginLoaders.ENV), cwd);
    } catch (IOException | java.util.ServiceConfigurationError e) {
      fallBack(ch, "cannot load the plug-ins: " + e.getMessage());
      return;
    }
    long need = MemoryBudget.estimate(objectSize(req, cwd));
    if (need > budget.total()) {
      fallBack(ch, "the object needs more heap (" + mib(need) + ") than the server has (" + mib(budget.total()) + ")");
      return;
    }
    // taken: from now on the sweeper sends ACCEPTED and then a heartbeat every second while the
    // request waits or runs, so the client knows it is alive
    c.accepted = true;
    // admission: a worker slot (the pool is sized to the machine), then the heap it needs
    while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
      if (c.gone()) {
        log.line("client went away before its request ran: abandoned");
        return;
      }
    }
    try {
      while (!budget.tryAcquire(need, 1000)) {
        if (c.gone()) {
          log.line("client went away before its request ran: abandoned");
          return;
        }
      }
      Tape tape = new Tape();
      int rc;
      running.incrementAndGet();
      try {
        rc = runOne(req, new RunContext(cwd, req.env(), c::gone), loaded, tape);
      } finally {
        running.decrementAndGet();
        budget.release(need);
      }
      served.incrementAndGet();
      if (c.gone()) {
        log.line("client went away during its request: abandoned (object left as it was)");
        return;
      }
      c.reply(tape.reply(rc));
      busyNanos.addAndGet(System.nanoTime() - begun);
    } finally {
      slots.release();
    }
  }

  /**
   * One client connection: the sweeper's view of it (when it began, whether its request was taken)
   * and the writes to it, one at a time.
   */
  private static final class Connection {
    private static final byte[] NONE = new byte[0];
    final SocketChannel ch;
    final long since = System.nanoTime();
    /** The request passed the checks and waits or runs: the sweeper sends heartbeats. */
    volatile boolean accepted;
    /** The request was not read whole in time: the sweeper closed the connection. */
    volatile boolean late;
    private boolean acceptedSent;
    private boolean answered;
    private boolean gone;

    Connection(SocketChannel ch) {
      this.ch = ch;
    }

    /** The read deadline passed: the connection is closed, which ends the read under way. */
    void late() {
      late = true;
      closeQuietly(ch);
    }

    /** Sends a heartbeat (the first is {@link ServerProtocol#ACCEPTED}); a failed one means the client went away. */
    synchronized void beat() {
      if (answered || gone) return;
      try {
        ServerProtocol.frame(ch, acceptedSent ? ServerProtocol.ALIVE : ServerProtocol.ACCEPTED, NONE, 0, 0);
        acceptedSent = true;
      } catch (IOException e) {
        gone = true;
      }
    }

    /**
     * Whether the client went away: its end of the connection is closed (it sends nothing after its
     * request, so end of stream, or a reset, is all a read can find). Looked at when it matters:
     * while the request waits, before the object is written and before the reply.
     */
    synchronized boolean gone() {
      if (gone || answered) return gone;
      try {
        ch.configureBlocking(false);
        try {
          ByteBuffer b = ByteBuffer.allocate(64);
          int n;
          while ((n = ch.read(b)) > 0) b.clear();
          if (n < 0) gone = true;
        } finally {
          ch.configureBlocking(true);
        }
      } catch (IOException e) {
        gone = true;
      }
      return gone;
    }

    /** Sends the reply (frames ending with the exit status) in one write. */
    synchronized void reply(ByteBuffer b) throws IOException {
      answered = true;
      while (b.hasRemaining()) ch.write(b);
    }
  }

  private int runOne(ServerProtocol.Request req, RunContext ctx, PluginLoaders.Loaded loaded, Tape tape) {
    try (PrintStream out = new PrintStream(tape.stream(ServerProtocol.STDOUT), false, charset);
         PrintStream err = new PrintStream(tape.stream(ServerProtocol.STDERR), false, charset)) {
      int rc = Main.runCommand(req.args(), ctx, loaded.passes(), out, err);
      out.flush();
      err.flush();
      return rc;
    } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError e) {
      // a plug-in that throws outside the check, or anything else the run did not catch
      return tape.internalError(e, charset);
    }
  }

  /** The size of the largest file among the arguments (the object), or 0. */
  private static long objectSize(ServerProtocol.Request req, Path cwd) {
    long max = 0;
    for (String a : req.args()) {
      if (a.startsWith("-") || a.isEmpty()) continue;
      try {
        Path p = cwd.resolve(a);
        if (Files.isRegularFile(p)) max = Math.max(max, Files.size(p));
      } catch (RuntimeException | IOException e) {
        // not a path
      }
    }
    return max;
  }

  String status() {
    Runtime rt = Runtime.getRuntime();
    long used = rt.totalMemory() - rt.freeMemory();
    long up = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    return "pid " + ProcessHandle.current().pid() + "\n"
        + "build " + key + " (" + root + ")\n"
        + "socket " + socket + "\n"
        + "uptime " + Duration.ofSeconds(up) + "\n"
        + "requests " + served.get() + " served, " + running.get() + " running, "
        + Math.max(0, active.get() - 1 - running.get()) + " waiting or connecting\n"
        + "busy " + String.format(java.util.Locale.ROOT, "%.6f", busyNanos.get() / 1e9)
        + " s from request read to exit status sent, over the requests served\n"
        + "heap " + mib(used) + " in use of " + mib(rt.maxMemory()) + " (" + mib(budget.used()) + " reserved)\n"
        + "jvm " + Runtime.version() + "\n";
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** A request's stdout and stderr, in the order written. */
  static final class Tape {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<long[]> chunks = new ArrayList<>(); // {type, length}

    synchronized void write(byte type, byte[] b, int off, int len) {
      if (len == 0) return;
      bytes.write(b, off, len);
      long[] last = chunks.isEmpty() ? null : chunks.getLast();
      if (last != null && last[0] == type) last[1] += len;
      else chunks.add(new long[] {type, len});
    }

    OutputStream stream(byte type) {
      return new OutputStream() {
        @Override
        public void write(int b) {
          Tape.this.write(type, new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          Tape.this.write(type, b, off, len);
        }
      };
    }

    int internalError(Throwable e, Charset cs) {
      byte[] line = (Main.internalError(null, e, false) + "\n").getBytes(cs);
      write(ServerProtocol.STDERR, line, 0, line.length);
      return 1;
    }

    /** The reply: a frame per chunk, in order, then the {@link ServerProtocol#EXIT} frame with {@code status}. */
    synchronized ByteBuffer reply(int status) {
      byte[] all = bytes.toByteArray();
      ByteBuffer b = ByteBuffer.allocate(all.length + 5 * chunks.size() + 9).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      int off = 0;
      for (long[] c : chunks) {
        b.put((byte) c[0]).putInt((int) c[1]).put(all, off, (int) c[1]);
        off += (int) c[1];
      }
      return b.put(ServerProtocol.EXIT).putInt(4).putInt(status).flip();
    }
  }

  /** The server's log: one line per event, with the time. */
  static final class ServerLog {
    private final PrintStream out;

    ServerLog(Path file) throws IOException {
      this.out = new PrintStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true,
          StandardCharsets.UTF_8);
    }

    synchronized void line(String s) {
      out.println(Instant.now() + " objtool-server[" + ProcessHandle.current().pid() + "]: " + s);
    }
  }
}
