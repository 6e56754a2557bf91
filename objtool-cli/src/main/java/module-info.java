/** {@code bin/objtool}: the objtool-compatible command line. No exported package. */
module io.objtool.cli {
  requires io.objtool.api;
  requires io.objtool.check;
  requires io.objtool.orc;

  uses io.objtool.api.Pass;
}
