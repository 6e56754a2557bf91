package io.objtool.orc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    assumeTrue(r != null, "corpus or reference objtool " + format.version() + " missing");
    System.out.println("orc dump " + format.version() + ": " + r.identical() + "/" + r.total() + " identical");
    assertEquals(r.total(), r.identical(), String.join("\n", r.differences()));
  }
}
