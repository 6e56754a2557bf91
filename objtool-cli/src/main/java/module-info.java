/** {@code bin/objtool}: the objtool-compatible command line. No exported package. */
module io.objtool.cli {
  requires io.objtool.api;
  requires io.objtool.check;
  requires io.objtool.orc;
  requires jdk.net; // the objtool server: SO_PEERCRED on its Unix domain socket

  uses io.objtool.api.Pass;
}
