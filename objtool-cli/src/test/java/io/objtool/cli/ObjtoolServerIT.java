package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The objtool server end to end: {@code bin/objtool-server} and {@code bin/objtool} as built by
 * {@code mvn package} (these tests run after it), with the native client. Every result through the
 * server is compared with the same command line run in-process.
 */
class ObjtoolServerIT {
  static final Path AOT_SRC = Path.of("src/main/aot").toAbsolutePath();
  static final Path EXAMPLE = Path.of("..", "examples", "example.c").toAbsolutePath().normalize();
  static final Map<String, String> REQUIRE = Map.of("OBJTOOL_SERVER", "require");

  @TempDir static Path objs;
  @TempDir Path dir;

  @BeforeAll
  static void build() throws Exception {
    io.objtool.testkit.Oracles.require(Files.isExecutable(ServerHarness.CLIENT), "the native client (a C compiler at package time: Debian gcc)");
    ServerHarness.compile(AOT_SRC.resolve("train.c"), objs.resolve("train.o"));
    ServerHarness.compile(AOT_SRC.resolve("train-warn.c"), objs.resolve("train-warn.o"));
    ServerHarness.compile(EXAMPLE, objs.resolve("example.o"));
    ServerHarness.compile(EXAMPLE, objs.resolve("example-prefix.o"), "-fpatchable-function-entry=16,16");
    byte[] whole = Files.readAllBytes(objs.resolve("example.o"));
    Files.write(objs.resolve("truncated.o"), java.util.Arrays.copyOf(whole, whole.length / 3));
  }

  private static final String[] FLAGS = {
      "--orc --link --module",
      "--stackval --uaccess --noinstr --link --module",
      "--hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --sls --static-call"
          + " --uaccess --prefix=16 --link --module",
      "--dump=orc",
  };
  private static final String[] OBJECTS = {"train.o", "train-warn.o", "example.o", "example-prefix.o", "truncated.o"};

  /** One request of the mix: its directory, command line and environment. */
  private record Job(Path cwd, List<String> args, Map<String, String> env, Path object) { }

  private List<Job> mix(Path base, int n) throws IOException {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path cwd = base.resolve("job" + i);
      Files.createDirectories(cwd);
      String name = OBJECTS[i % OBJECTS.length];
      Path obj = cwd.resolve(name);
      Files.copy(objs.resolve(name), obj);
      String flags = FLAGS[(i / OBJECTS.length) % FLAGS.length];
      if (flags.equals("--dump=orc")) {
        // dump what an earlier --orc wrote: the object generated in-process first
        flags = "--dump=orc";
        ServerHarness.Result r = ServerHarness.inJvm(cwd, List.of("--orc", "--link", "--module", name), Map.of(),
            getClass().getClassLoader());
        assertTrue(r.exit() == 0 || name.equals("truncated.o"), r.stderr());
      }
      List<String> args = new ArrayList<>(List.of(flags.split(" ")));
      args.add(i % 2 == 0 ? name : obj.toString()); // relative and absolute paths
      Map<String, String> env = new HashMap<>();
      if (i % 3 == 1) env.put("OBJTOOL_ORC_FORMAT", "6.1");
      if (i % 5 == 2) env.put("OBJTOOL_ARGS", "--sec-address");
      jobs.add(new Job(cwd, args, env, obj));
    }
    return jobs;
  }

  @Test
  void thirtyTwoParallelClientsMatchSequentialInProcessRuns() throws Exception {
    List<Job> viaServer = mix(dir.resolve("server"), 32);
    List<Job> inProcess = mix(dir.resolve("local"), 32);
    try (ServerHarness h = new ServerHarness(dir).start()) {
      List<Process> ps = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        Job j = viaServer.get(i);
        Map<String, String> env = new HashMap<>(j.env());
        env.putAll(REQUIRE);
        ps.add(h.launch(j.cwd(), j.args(), env, j.cwd().resolve("stdout"), j.cwd().resolve("stderr")));
      }
      for (Process p : ps) assertTrue(p.waitFor(300, TimeUnit.SECONDS));
      assertEquals(32, h.served());
      for (int i = 0; i < 32; i++) {
        Job s = viaServer.get(i);
        Job l = inProcess.get(i);
        ServerHarness.Result want = ServerHarness.inJvm(l.cwd(), l.args(), l.env(), getClass().getClassLoader());
        String what = "job " + i + " " + s.args() + " " + s.env();
        String local = l.cwd().toString();
        String remote = s.cwd().toString();
        assertEquals(want.exit(), ps.get(i).exitValue(), what);
        assertEquals(want.stdout().replace(local, remote), Files.readString(s.cwd().resolve("stdout")), what);
        assertEquals(want.stderr().replace(local, remote), Files.readString(s.cwd().resolve("stderr")), what);
        assertArrayEquals(Files.readAllBytes(l.object()), Files.readAllBytes(s.object()), what);
      }
    }
  }

  @Test
  void relativePathsEnvironmentAndReportsAreTheInProcessRunsOnes() throws Exception {
    List<String> args = List.of("--orc", "--link", "--module", "sub/../train-warn.o");
    Map<String, String> env = Map.of("OBJTOOL_ORC_FORMAT", "6.1", "OBJTOOL_ARGS", "--sec-address",
        "OBJTOOL_FORMAT", "json");
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    for (Path p : List.of(a, b)) {
      Files.createDirectories(p.resolve("sub"));
      Files.copy(objs.resolve("train-warn.o"), p.resolve("train-warn.o"));
    }
    try (ServerHarness h = new ServerHarness(dir).start()) {
      Map<String, String> e = new HashMap<>(env);
      e.putAll(REQUIRE);
      ServerHarness.Result viaServer = h.run(a, args, e);
      e.put("OBJTOOL_SERVER", "off");
      ServerHarness.Result local = h.run(b, args, e);
      assertEquals(1, h.served());
      assertEquals(local, viaServer);
      assertTrue(local.stderr().contains("warning: objtool:"), local.stderr());
      assertArrayEquals(Files.readAllBytes(b.resolve("train-warn.o")), Files.readAllBytes(a.resolve("train-warn.o")));
      assertEquals(timeless(Files.readString(b.resolve("sub/../train-warn.o.objtool.json"))),
          timeless(Files.readString(a.resolve("sub/../train-warn.o.objtool.json"))));
    }
  }

  @Test
  void pluginsRunThroughTheServerInALoaderOfTheirOwn() throws Exception {
    Path jar = ServerHarness.testPlugins(dir, 0);
    copies("example.o", "x.o", "y.o");
    try (ServerHarness h = new ServerHarness(dir).start()) {
      Map<String, String> env = new HashMap<>(REQUIRE);
      env.put("OBJTOOL_PLUGINS", jar.getFileName().toString()); // relative to the request's directory
      ServerHarness.Result help = h.run(dir, List.of("--help"), env);
      assertTrue(help.stderr().contains("--slow"), help.stderr());
      ServerHarness.Result ok = h.run(dir, List.of("--slow", "--orc", "--link", "--module", "x.o"), env);
      ServerHarness.Result boom = h.run(dir, List.of("--boom", "--orc", "--link", "--module", "y.o"), env);
      // without the plug-ins the flags are unknown, as in-process
      ServerHarness.Result plain = h.run(dir, List.of("--help"), REQUIRE);
      assertFalse(plain.stderr().contains("--slow"), plain.stderr());
      assertEquals(4, h.served());
      try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
        Files.copy(objs.resolve("example.o"), dir.resolve("x2.o"));
        ServerHarness.Result want = ServerHarness.inJvm(dir, List.of("--slow", "--orc", "--link", "--module", "x2.o"),
            Map.of(), cl);
        assertEquals(want.exit(), ok.exit());
        assertEquals(want.stderr().replace("x2.o", "x.o"), ok.stderr());
        assertArrayEquals(Files.readAllBytes(dir.resolve("x2.o")), Files.readAllBytes(dir.resolve("x.o")));
      }
      // a plug-in that throws fails its own request with one line, and nothing else
      assertEquals(1, boom.exit());
      assertTrue(boom.stderr().startsWith("error: objtool: internal error on y.o: IllegalStateException: boom (a bug in "), boom.stderr());
      assertEquals(1, boom.stderr().lines().count(), boom.stderr());
      assertArrayEquals(Files.readAllBytes(objs.resolve("example.o")), Files.readAllBytes(dir.resolve("y.o")));
      assertNotEquals(-1, h.served());
    }
  }

  @Test
  void aForeignUserIsRefused() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    io.objtool.testkit.Oracles.require(ProcessHandle.current().info().user().orElse("").equals("root"), "root, to run a client as another user");
    io.objtool.testkit.Oracles.require(Files.isExecutable(python) && Files.isExecutable(Path.of("/usr/bin/setpriv")), "python3 and setpriv (Debian: python3, util-linux)");
    // a socket directory the other user can reach (the real one is 0700): only the server's own
    // check stands in the way
    Path open = Files.createTempDirectory(Path.of("/tmp"), "objtool-foreign");
    try {
      ServerHarness.openUp(open, "rwx--x--x");
      try (ServerHarness h = new ServerHarness(open).start()) {
        ServerHarness.openUp(h.sockDir, "rwx--x--x");
        Path sock = ServerFiles.socket(h.sockDir, h.key());
        ServerHarness.openUp(sock, "rw-rw-rw-");
        ByteBuffer req = ServerProtocol.encode(ServerProtocol.RUN, h.key(), "/", List.of("--help"), Map.of());
        byte[] bytes = new byte[req.remaining()];
        req.get(bytes);
        String script = "import socket,sys\n"
            + "s=socket.socket(socket.AF_UNIX)\n"
            + "s.connect(sys.argv[1])\n"
            + "try:\n"
            + "  s.sendall(bytes.fromhex(sys.argv[2]))\n"
            + "  d=s.recv(100)\n"
            + "except ConnectionError:\n"
            + "  d=b''\n"
            + "print('reply', len(d))\n";
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            python.toString(), "-c", script, sock.toString(), java.util.HexFormat.of().formatHex(bytes))
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("reply 0\n", out, "the server answered another user");
        List<String> log = h.logLines();
        assertTrue(log.stream().anyMatch(l -> l.endsWith("refused a connection from user nobody: not the server's user")),
            log.toString());
        assertEquals(0, h.served());
        // the client trusts only a directory closed to others; closed again, its own user is served
        ServerHarness.Result shut = h.run(dir, List.of("--help"), REQUIRE);
        assertEquals("objtool: OBJTOOL_SERVER=require: no server of this build runs\n", shut.stderr());
        ServerHarness.openUp(h.sockDir, "rwx------");
        ServerHarness.Result help = h.run(dir, List.of("--help"), REQUIRE);
        assertEquals(129, help.exit());
        assertEquals(1, h.served());
      }
    } finally {
      try (Stream<Path> s = Files.walk(open)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aServerOfAnotherBuildIsNotUsed() throws Exception {
    // another checkout of the same jars: another build key
    Path other = dir.resolve("other");
    Files.createDirectories(other.resolve("bin"));
    Files.createDirectories(other.resolve("objtool-cli/target"));
    Files.copy(ServerHarness.ROOT.resolve("bin/objtool-server"), other.resolve("bin/objtool-server"));
    try (Stream<Path> jars = Files.list(ServerHarness.ROOT.resolve("objtool-cli/target"))) {
      for (Path j : jars.filter(p -> p.getFileName().toString().matches("objtool-cli-.*\\.jar")).toList()) {
        Files.copy(j, other.resolve("objtool-cli/target").resolve(j.getFileName()));
      }
    }
    Files.createSymbolicLink(other.resolve("objtool-cli/target/lib"), ServerHarness.ROOT.resolve("objtool-cli/target/lib"));
    Files.copy(objs.resolve("train-warn.o"), dir.resolve("t.o"));
    try (ServerHarness stale = new ServerHarness(other.toRealPath(), dir).start();
         ServerHarness mine = new ServerHarness(dir)) {
      assertNotEquals(stale.key(), mine.key());
      assertNull(mine.status());
      ServerHarness.Result refused = mine.run(dir, List.of("--orc", "--link", "t.o"), REQUIRE);
      assertEquals("objtool: OBJTOOL_SERVER=require: no server of this build runs\n", refused.stderr());
      assertEquals(1, refused.exit());
      ServerHarness.Result local = mine.run(dir, List.of("--orc", "--link", "t.o"), Map.of());
      assertTrue(local.stderr().contains("t.o: warning: objtool:"), local.stderr());
      assertEquals(0, stale.served());
      // asked directly with this build's key, the stale server declines
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(ServerFiles.socket(stale.sockDir, stale.key())));
        ch.write(ServerProtocol.encode(ServerProtocol.RUN, mine.key(), "/", List.of("--help"), Map.of()));
        ServerProtocol.Frame f = ServerProtocol.readFrame(ch);
        assertEquals(ServerProtocol.FALL_BACK, f.type());
      }
      assertEquals(0, stale.served());
      // rebuilt, the other checkout's server sees its key change and exits
      Path log = stale.log();
      try (Stream<Path> jars = Files.list(other.resolve("objtool-cli/target"))) {
        for (Path j : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
          Files.setLastModifiedTime(j, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        }
      }
      assertTrue(stale.process().waitFor(120, TimeUnit.SECONDS), "the stale server still runs");
      List<String> lines = Files.readAllLines(log);
      assertTrue(lines.getLast().contains("the build changed (now "), lines.toString());
    }
  }

  @Test
  void aServerKilledMidRequestLeavesTheClientToRunItInProcess() throws Exception {
    Path jar = ServerHarness.testPlugins(dir, 4000);
    copies("train-warn.o", "k.o", "k2.o");
    try (ServerHarness h = new ServerHarness(dir).start()) {
      Map<String, String> env = Map.of("OBJTOOL_PLUGINS", jar.toString());
      Process client = h.launch(dir, List.of("--slow", "--orc", "--link", "--module", "k.o"), env,
          dir.resolve("k.out"), dir.resolve("k.err"));
      waitForLog(h, () -> h.status().contains(" 1 running"));
      h.process().destroyForcibly().waitFor();
      assertTrue(client.waitFor(120, TimeUnit.SECONDS));
      try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
        ServerHarness.Result want = ServerHarness.inJvm(dir, List.of("--slow", "--orc", "--link", "--module", "k2.o"),
            Map.of(), cl);
        assertEquals(want.exit(), client.exitValue());
        assertEquals(want.stderr().replace("k2.o", "k.o"), Files.readString(dir.resolve("k.err")));
        assertEquals(want.stdout(), Files.readString(dir.resolve("k.out")));
      }
      assertArrayEquals(Files.readAllBytes(dir.resolve("k2.o")), Files.readAllBytes(dir.resolve("k.o")));
    }
  }

  @Test
  void aClientKilledMidRequestLeavesTheObjectUntouched() throws Exception {
    Path jar = ServerHarness.testPlugins(dir, 3000);
    Files.copy(objs.resolve("example.o"), dir.resolve("c.o"));
    byte[] before = Files.readAllBytes(dir.resolve("c.o"));
    try (ServerHarness h = new ServerHarness(dir).start()) {
      Map<String, String> env = new HashMap<>(REQUIRE);
      env.put("OBJTOOL_PLUGINS", jar.toString());
      Process client = h.launch(dir, List.of("--slow", "--orc", "--link", "--module", "c.o"), env,
          dir.resolve("c.out"), dir.resolve("c.err"));
      waitForLog(h, () -> {
        assertTrue(client.isAlive(), () -> "the client ended: " + read(dir.resolve("c.err")));
        return h.status().contains(" 1 running");
      });
      client.destroyForcibly().waitFor(); // SIGKILL, as an interrupted make leaves it
      waitForLog(h, () -> h.logLines().stream().anyMatch(l -> l.contains("abandoned")));
      assertTrue(h.logLines().stream().anyMatch(l -> l.endsWith("client went away during its request: abandoned (object left as it was)")),
          h.logLines().toString());
      assertArrayEquals(before, Files.readAllBytes(dir.resolve("c.o")));
      try (Stream<Path> left = Files.list(dir)) {
        assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
      }
      // and the server goes on serving
      ServerHarness.Result again = h.run(dir, List.of("--orc", "--link", "--module", "c.o"), REQUIRE);
      assertEquals(0, again.exit(), again.stderr());
      assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("c.o"))));
    }
  }

  @Test
  void garbageAndTruncatedRequestsCostOneLogLineEach() throws Exception {
    try (ServerHarness h = new ServerHarness(dir).start()) {
      Path sock = ServerFiles.socket(h.sockDir, h.key());
      ByteBuffer good = ServerProtocol.encode(ServerProtocol.RUN, h.key(), dir.toString(), List.of("--help"), Map.of());
      byte[] random = new byte[300];
      new java.util.Random(13).nextBytes(random);
      ByteBuffer badKind = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
          .put(ServerProtocol.MAGIC).putInt(7).putInt(0).flip();
      ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
          .put(ServerProtocol.MAGIC).putInt(0).putInt(-1).flip();
      ByteBuffer half = ByteBuffer.wrap(good.array(), 0, good.limit() / 2);
      ByteBuffer noNul = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN)
          .put(ServerProtocol.MAGIC).putInt(0).putInt(3).put("abc".getBytes(StandardCharsets.US_ASCII)).flip();
      List<ByteBuffer> bad = List.of(ByteBuffer.wrap(random), badKind, huge, half, noNul);
      int before = h.logLines().size();
      for (ByteBuffer b : bad) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(sock));
          ch.write(b);
          ch.shutdownOutput();
          ByteBuffer r = ByteBuffer.allocate(16);
          int n;
          try {
            n = ch.read(r);
          } catch (java.net.SocketException e) {
            n = -1; // reset: the server closed with our bytes unread
          }
          assertEquals(-1, n, "the server answered garbage");
        }
      }
      waitForLog(h, () -> h.logLines().size() >= before + bad.size());
      List<String> lines = h.logLines().subList(before, h.logLines().size());
      assertEquals(bad.size(), lines.size(), lines.toString());
      assertTrue(lines.get(0).contains("bad request: not an objtool request (bad magic)"), lines.get(0));
      assertTrue(lines.get(1).contains("bad request: unknown request kind 7"), lines.get(1));
      assertTrue(lines.get(2).contains("bad request: request body of 4294967295 bytes"), lines.get(2));
      assertTrue(lines.get(3).contains("truncated request"), lines.get(3));
      assertTrue(lines.get(4).contains("bad request: request body does not end with a NUL"), lines.get(4));
      ServerHarness.Result help = h.run(dir, List.of("--help"), REQUIRE);
      assertEquals(129, help.exit());
      assertTrue(help.stderr().contains("Usage: objtool"), help.stderr());
    }
  }

  @Test
  void anIdleServerExits() throws Exception {
    try (ServerHarness h = new ServerHarness(dir).start(Map.of("OBJTOOL_SERVER_IDLE", "2s"))) {
      assertEquals(129, h.run(dir, List.of("--help"), REQUIRE).exit());
      assertTrue(h.process().waitFor(30, TimeUnit.SECONDS), "still running after 30 s");
      assertEquals(0, h.process().exitValue());
      assertFalse(Files.exists(ServerFiles.socket(h.sockDir, h.key())));
      assertTrue(h.logLines().getLast().endsWith("idle for PT2S: exiting"), h.logLines().toString());
    }
  }

  @Test
  void autoStartsAServerAndOffNeverUsesIt() throws Exception {
    ServerHarness h = new ServerHarness(dir);
    copies("train-warn.o", "a.o", "b.o", "c.o");
    try {
      // the first object waits for the server it starts (a generous bound: a loaded machine)
      ServerHarness.Result first = h.run(dir, List.of("--orc", "--link", "--module", "a.o"),
          Map.of("OBJTOOL_SERVER", "auto", "OBJTOOL_SERVER_IDLE", "60", "OBJTOOL_SERVER_START_WAIT", "60000"));
      assertTrue(first.stderr().contains("a.o: warning: objtool:"), first.stderr());
      assertEquals(1, h.served());
      ServerHarness.Result second = h.run(dir, List.of("--orc", "--link", "--module", "b.o"), Map.of());
      assertEquals(2, h.served());
      assertEquals(first.stderr().replace("a.o", "b.o"), second.stderr());
      assertArrayEquals(Files.readAllBytes(dir.resolve("a.o")), Files.readAllBytes(dir.resolve("b.o")));
      ServerHarness.Result third = h.run(dir, List.of("--orc", "--link", "--module", "c.o"), Map.of("OBJTOOL_SERVER", "off"));
      assertEquals(2, h.served());
      assertEquals(first.stderr().replace("a.o", "c.o"), third.stderr());
      assertArrayEquals(Files.readAllBytes(dir.resolve("a.o")), Files.readAllBytes(dir.resolve("c.o")));
    } finally {
      ServerMain.ask(h.sockDir, h.key(), ServerProtocol.STOP);
    }
  }

  @Test
  void aStartWhoseServerDiedIsNotWaitedFor() throws Exception {
    ServerHarness h = new ServerHarness(dir);
    copies("train-warn.o", "a.o", "b.o");
    Files.createDirectories(h.sockDir);
    ServerHarness.openUp(h.sockDir, "rwx------");
    // a start under way (a fresh K.spawn) whose server process is gone
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(ServerFiles.spawn(h.sockDir, h.key()), gone.pid() + "\n");
    long t0 = System.nanoTime();
    ServerHarness.Result r = h.run(dir, List.of("--orc", "--link", "--module", "a.o"),
        Map.of("OBJTOOL_SERVER", "auto", "OBJTOOL_SERVER_START_WAIT", "60000"));
    long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    assertTrue(waited < 30, "waited " + waited + " s for a server that is not starting");
    assertTrue(r.stderr().contains("a.o: warning: objtool:"), r.stderr()); // in-process
    assertNull(h.status(), "no server was started: the fresh K.spawn says one is starting");
    ServerHarness.Result ref = h.run(dir, List.of("--orc", "--link", "--module", "b.o"), Map.of("OBJTOOL_SERVER", "off"));
    assertEquals(ref.stderr().replace("b.o", "a.o"), r.stderr());
    assertArrayEquals(Files.readAllBytes(dir.resolve("b.o")), Files.readAllBytes(dir.resolve("a.o")));
  }

  @Test
  void theClientAndTheServerAgreeOnTheBuildKey() throws Exception {
    // the client only connects to K.sock for its own key: a server answering proves the keys agree
    try (ServerHarness h = new ServerHarness(dir).start()) {
      assertEquals(129, h.run(dir, List.of("--help"), REQUIRE).exit());
      assertTrue(h.status().contains("build " + h.key() + " (" + ServerHarness.ROOT + ")"), h.status());
    }
  }

  /** Copies the compiled object {@code from} into the test's directory under each of {@code names}. */
  private void copies(String from, String... names) throws IOException {
    for (String n : names) Files.copy(objs.resolve(from), dir.resolve(n));
  }

  /** A JSON report without its clock and memory figures. */
  private static String timeless(String json) {
    return json.replaceAll("\"wall_s\":[0-9.eE-]+", "\"wall_s\":T").replaceAll("\"peak_rss_kb\":[0-9]+", "\"peak_rss_kb\":R");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitForLog(ServerHarness h, Check c) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      if (c.ok()) return;
      Thread.sleep(20);
    }
    throw new AssertionError("condition not met within 60 s; log: " + h.logLines() + "; status: " + h.status());
  }
}
