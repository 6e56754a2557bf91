package io.objtool.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Length and branch-target parity with objdump on a sample of the module corpus (skipped when the
 * corpus or objdump is missing). The whole corpus: {@code scripts/x86-parity.sh} in objtool-x86.
 */
class ObjdumpParityTest {

    private static final Oracles.Tally TALLY = Oracles.tally("objdump-decode",
            "instruction lengths and branch targets (objdump, every 50th corpus module)");

    private static void requireObjdump() {
        Oracles.require(Oracles.runs("objdump", "--version"), "objdump (Debian: binutils)");
    }

    @Test
    void sampleOfTheCorpusMatchesObjdump() throws Exception {
        Corpus.require();
        requireObjdump();
        List<Path> sample = Corpus.sample(50);
        ObjdumpParity.Result r = ObjdumpParity.compareAll(sample, 2);
        System.out.println("objdump parity on " + sample.size() + " modules: " + r);
        assertTrue(r.functionInsns > 50_000, r::toString);
        TALLY.add(r.functionInsns, r.functionInsns - r.mismatches);
        assertEquals(0, r.mismatches, () -> r + "\n" + String.join("\n", r.samples));
    }

    /** The comparison itself must be able to fail: 66-prefixed near branches are decoded differently. */
    @Test
    void detectsAKnownDivergence(@TempDir Path dir) throws Exception {
        Asm.require();
        requireObjdump();
        Path s = dir.resolve("d.s");
        Path o = dir.resolve("d.o");
        Files.writeString(s, """
                .text
                .globl f
                .type f,@function
                f:
                  push %rbp
                  .byte 0x66,0xe9,0,0,0,0
                  ret
                .size f, .-f
                """);
        Process p = new ProcessBuilder("as", "--64", "-o", o.toString(), s.toString()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
        ObjdumpParity.Result r = ObjdumpParity.compare(o);
        // objdump follows AMD (rel16 with 66: a 4-byte jmpw); we follow Intel and the kernel's
        // decoder that objtool uses (66 is ignored, rel32: 6 bytes)
        assertTrue(r.mismatches > 0, r::toString);
        assertTrue(r.samples.get(0).contains("objdump len 4"), r.samples::toString);
    }
}
