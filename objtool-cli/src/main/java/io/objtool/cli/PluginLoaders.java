package io.objtool.cli;

import io.objtool.check.PassProviders;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objtool server's class loaders for plug-in passes: one per plug-in set, that is per
 * {@code OBJTOOL_PLUGINS} value as its jars stand (a rebuilt jar is another set). The entries are
 * found as {@code bin/objtool} finds them (jars, or directories whose {@code *.jar} are taken),
 * relative ones in the request's working directory; the parent is the server's own loader, so the
 * project's passes come first, as on {@code bin/objtool}'s class path. At most {@value #MAX} sets
 * are kept; the least recently used is dropped.
 */
final class PluginLoaders {
  static final String ENV = "OBJTOOL_PLUGINS";
  private static final int MAX = 16;

  /** A plug-in set's class loader and the passes found through it (looked up once). */
  record Loaded(ClassLoader loader, PassProviders passes) {
    Loaded(ClassLoader loader) {
      this(loader, PassProviders.of(loader));
    }
  }

  private final Loaded parent;
  private final Map<String, Loaded> loaders = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Loaded> e) {
      return size() > MAX;
    }
  };

  PluginLoaders(ClassLoader parent) {
    this.parent = new Loaded(parent);
  }

  /** The loader for the plug-ins {@code spec} names, seen from {@code cwd}; the parent when none. */
  Loaded loaderFor(String spec, Path cwd) throws IOException {
    if (spec == null || spec.isEmpty()) return parent;
    List<Path> jars = new ArrayList<>();
    for (String e : spec.split(":")) {
      if (e.isEmpty()) continue;
      Path p = cwd.resolve(e);
      if (Files.isDirectory(p)) {
        List<Path> in = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, "*.jar")) {
          for (Path j : ds) if (Files.isRegularFile(j)) in.add(j);
        }
        in.sort(null);
        jars.addAll(in);
      } else {
        jars.add(p);
      }
    }
    if (jars.isEmpty()) return parent;
    StringBuilder key = new StringBuilder();
    List<URL> urls = new ArrayList<>();
    for (Path j : jars) {
      key.append(j).append('\0');
      if (Files.exists(j)) {
        BasicFileAttributes a = Files.readAttributes(j, BasicFileAttributes.class);
        key.append(a.size()).append('\0').append(a.lastModifiedTime().toMillis()).append('\0');
      }
      try {
        urls.add(j.toUri().toURL());
      } catch (MalformedURLException ex) {
        throw new IOException(ENV + ": " + j + ": " + ex.getMessage(), ex);
      }
    }
    synchronized (loaders) {
      return loaders.computeIfAbsent(key.toString(),
          k -> new Loaded(new URLClassLoader("objtool-plugins", urls.toArray(URL[]::new), parent.loader())));
    }
  }
}
