package io.objtool.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Where one run of the command line happens: the directory relative paths resolve against, the
 * environment the tool reads ({@code OBJTOOL_ARGS}, {@code OBJTOOL_ORC_FORMAT}, ...), and whether
 * whoever asked for the run has gone away. A run in its own process uses the process's directory
 * and environment; a run in the objtool server uses its client's, so nothing on a request's path
 * reads the process-wide ones.
 *
 * @param cwd the working directory; the empty path means the process's own
 * @param env the environment variables the tool may read
 * @param abandoned true once the requester is gone: a run then leaves the object untouched
 */
record RunContext(Path cwd, Map<String, String> env, BooleanSupplier abandoned) {

  /** A run in this process, with this process's working directory and {@code env}. */
  static RunContext inProcess(Map<String, String> env) {
    return new RunContext(Path.of(""), env, () -> false);
  }

  /** {@code file} as the run's working directory sees it (absolute paths stay as they are). */
  Path resolve(Path file) {
    return cwd.resolve(file);
  }

  /** {@code file} as the run's working directory sees it (absolute paths stay as they are). */
  Path resolve(String file) {
    return cwd.resolve(file);
  }
}
