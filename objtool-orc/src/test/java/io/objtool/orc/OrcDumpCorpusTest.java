package io.objtool.orc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.objtool.testkit.Oracles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our dump against the reference's on a sample of the module corpus (every 25th module; set
 * {@code -Dorc.corpus.every=1} for all of them). Skipped when the corpus or reference is missing.
 */
class OrcDumpCorpusTest {
  @ParameterizedTest
  @EnumSource(OrcFormat.class)
  void sampleIsIdentical(OrcFormat format) throws Exception {
    int every = Integer.getInteger("orc.corpus.every", 25);
    OrcDumpCorpus.Result r = OrcDumpCorpus.run(format, every);
    Oracles.require(r != null, "the module corpus and the reference objtool " + format.version() + " (scripts/corpus.sh --with-6.1-modules)");
    System.out.println("orc dump " + format.version() + ": " + r.identical() + "/" + r.total() + " identical");
    Oracles.tally("orc-dump-corpus-" + format.version(), "modules' --dump=orc (objtool " + format.version() + ", every " + every + "th module)")
        .add(r.total(), r.identical());
    assertEquals(r.total(), r.identical(), String.join("\n", r.differences()));
  }
}
