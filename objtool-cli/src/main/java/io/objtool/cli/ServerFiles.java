package io.objtool.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where the objtool server of a build lives, and which build it is. The directory is
 * {@code $OBJTOOL_SERVER_DIR}, else {@code $XDG_RUNTIME_DIR/objtool}, else
 * {@code ~/.cache/objtool}, mode 0700; in it, for a build key {@code K}: {@code K.sock} (the Unix
 * domain socket), {@code K.lock} (held by the running server), {@code K.log} (its log) and
 * {@code K.spawn} (a start in progress). The build key is a 64-bit FNV-1a hash of the checkout's
 * root and the path, size and modification time (in nanoseconds) of every jar {@code bin/objtool}
 * runs, so a rebuild or another checkout has another key and never uses this server. The native
 * client ({@code objtool-client.c}) computes the same key the same way.
 */
final class ServerFiles {
  static final String ENV_DIR = "OBJTOOL_SERVER_DIR";

  private ServerFiles() { }

  /** The server directory for this user, from {@code env}. */
  static Path dir(Map<String, String> env) {
    String d = env.get(ENV_DIR);
    if (d != null && !d.isEmpty()) return Path.of(d);
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "objtool");
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".cache", "objtool");
  }

  /**
   * Creates {@code dir} (mode 0700) when missing and checks that it belongs to this user and
   * nobody else may enter it; returns a reason when it is unfit, else null.
   */
  static String prepare(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made by a concurrent start
      }
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return dir + " is not a directory";
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
    for (PosixFilePermission x : p) {
      if (!x.name().startsWith("OWNER_")) return dir + " is open to other users (mode must be 0700)";
    }
    if (!Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).equals(self())) return dir + " belongs to another user";
    return null;
  }

  /** The user this process runs as. */
  static java.nio.file.attribute.UserPrincipal self() throws IOException {
    return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
        .lookupPrincipalByName(System.getProperty("user.name"));
  }

  /** The jars {@code bin/objtool} puts on the class path, sorted by path (bytewise). */
  static List<Path> jars(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    Path target = root.resolve("objtool-cli/target");
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "objtool-cli-*.jar")) {
        for (Path p : ds) {
          String n = p.getFileName().toString();
          if (n.endsWith("-sources.jar") || n.endsWith("-javadoc.jar") || n.endsWith("-tests.jar")) continue;
          out.add(p.toString());
        }
      }
    }
    Path lib = target.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "*.jar")) {
        for (Path p : ds) out.add(p.toString());
      }
    }
    out.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    return out.stream().map(Path::of).toList();
  }

  /** The build key of the checkout at {@code root} (a canonical path): 16 hex digits. */
  static String buildKey(Path root) throws IOException {
    StringBuilder sb = new StringBuilder().append(root).append('\n');
    for (Path j : jars(root)) {
      BasicFileAttributes a = Files.readAttributes(j, BasicFileAttributes.class);
      sb.append(j).append('\n').append(a.size()).append('\n')
          .append(a.lastModifiedTime().to(TimeUnit.NANOSECONDS)).append('\n');
    }
    long h = 0xcbf29ce484222325L;
    for (byte b : sb.toString().getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return String.format("%016x", h);
  }

  static Path socket(Path dir, String key) {
    return dir.resolve(key + ".sock");
  }

  static Path lock(Path dir, String key) {
    return dir.resolve(key + ".lock");
  }

  static Path log(Path dir, String key) {
    return dir.resolve(key + ".log");
  }

  static Path spawn(Path dir, String key) {
    return dir.resolve(key + ".spawn");
  }
}
