package io.objtool.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/objtool-server serve|status|stop|wait}: runs the objtool server of the checkout named
 * by the system property {@code objtool.root} in the foreground ({@code serve}), or asks the
 * running one for its status or to stop, or waits until it answers ({@code wait}, after
 * {@code bin/objtool-server start} launched it). The environment chooses the directory
 * ({@code OBJTOOL_SERVER_DIR}, see {@link ServerFiles}), the idle time before the server exits
 * ({@code OBJTOOL_SERVER_IDLE}: seconds, or a number with {@code s}, {@code m}, {@code h};
 * default 3 hours) and the number of workers ({@code OBJTOOL_SERVER_JOBS}, default the
 * processors).
 */
public final class ServerMain {
  static final String ENV_IDLE = "OBJTOOL_SERVER_IDLE";
  static final String ENV_JOBS = "OBJTOOL_SERVER_JOBS";
  static final Duration DEFAULT_IDLE = Duration.ofHours(3);

  private ServerMain() { }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String cmd = args.length == 1 ? args[0] : "";
    String rootProp = System.getProperty("objtool.root");
    if (rootProp == null) {
      err.println("objtool-server: -Dobjtool.root is not set (run bin/objtool-server)");
      return 2;
    }
    try {
      Path root = Path.of(rootProp).toRealPath();
      Path dir = ServerFiles.dir(env);
      String key = ServerFiles.buildKey(root);
      switch (cmd) {
        case "serve" -> {
          String unfit = ServerFiles.prepare(dir);
          if (unfit != null) {
            err.println("objtool-server: " + unfit);
            return 1;
          }
          Duration idle;
          int jobs;
          try {
            idle = parseDuration(env.get(ENV_IDLE));
            jobs = parseJobs(env.get(ENV_JOBS));
          } catch (IllegalArgumentException e) {
            err.println("objtool-server: " + e.getMessage());
            return 1;
          }
          ObjtoolServer s = new ObjtoolServer(dir, key, root, idle, jobs, new ObjtoolServer.ServerLog(ServerFiles.log(dir, key)));
          if (!s.serve()) {
            err.println("objtool-server: a server for build " + key + " is already running");
          }
          return 0;
        }
        case "status", "stop" -> {
          String reply = ask(dir, key, cmd.equals("status") ? ServerProtocol.STATUS : ServerProtocol.STOP);
          if (reply == null) {
            out.println("objtool-server: no server runs for this build (" + key + ")");
            return cmd.equals("status") ? 3 : 0;
          }
          out.print(cmd.equals("status") ? reply : "objtool-server: stopped the server of build " + key + "\n");
          return 0;
        }
        case "wait" -> {
          long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (System.nanoTime() < until) {
            String reply = ask(dir, key, ServerProtocol.STATUS);
            if (reply != null) {
              out.print(reply);
              return 0;
            }
            Thread.sleep(50);
          }
          err.println("objtool-server: the server did not answer within 60 s; see " + ServerFiles.log(dir, key));
          return 1;
        }
        default -> {
          err.println("usage: objtool-server start|stop|status|serve");
          return 2;
        }
      }
    } catch (IOException | InterruptedException e) {
      err.println("objtool-server: " + e.getMessage());
      return 1;
    }
  }

  /** Sends a status or stop request to the server of {@code key}; its answer, or null when none answers. */
  static String ask(Path dir, String key, int kind) {
    Path sock = ServerFiles.socket(dir, key);
    if (!Files.exists(sock)) return null;
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(sock));
      var req = ServerProtocol.encode(kind, key, "/", List.of(), Map.of());
      while (req.hasRemaining()) ch.write(req);
      StringBuilder sb = new StringBuilder();
      while (true) {
        ServerProtocol.Frame f = ServerProtocol.readFrame(ch);
        if (f.type() == ServerProtocol.STDOUT) sb.append(new String(f.data(), StandardCharsets.UTF_8));
        else if (f.type() == ServerProtocol.EXIT) return sb.toString();
        else if (f.type() == ServerProtocol.FALL_BACK) return null;
      }
    } catch (IOException e) {
      return null;
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smh]?)");

  /** {@code OBJTOOL_SERVER_IDLE}: seconds, or a number with s, m or h; unset gives 3 hours. */
  static Duration parseDuration(String v) {
    if (v == null || v.isBlank()) return DEFAULT_IDLE;
    Matcher m = DURATION.matcher(v.trim());
    if (!m.matches()) throw new IllegalArgumentException(ENV_IDLE + ": '" + v + "' is not a duration (e.g. 600, 90m, 3h)");
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero()) throw new IllegalArgumentException(ENV_IDLE + ": must be more than 0");
    return d;
  }

  static int parseJobs(String v) {
    if (v == null || v.isBlank()) return Runtime.getRuntime().availableProcessors();
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= 1024) return n;
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(ENV_JOBS + ": '" + v + "' is not a number of workers (1-1024)");
  }
}
