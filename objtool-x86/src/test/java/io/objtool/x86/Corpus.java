package io.objtool.x86;

import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the 6.12 module corpus ({@code $OBJTOOL_CORPUS/6.12/orig}) and picks a sample of it. */
final class Corpus {
    private Corpus() {
    }

    /** Root of the unstripped corpus ({@code $OBJTOOL_CORPUS/6.12/orig}). */
    static Path root() {
        return Oracles.corpus("6.12/orig");
    }

    /** Skips, or in CI fails, when the corpus is absent. */
    static void require() {
        Oracles.require(Files.isDirectory(root()), "the module corpus (" + root() + "; scripts/corpus.sh fetches it)");
    }

    /** Every {@code step}-th module of the corpus in path order (deterministic). */
    static List<Path> sample(int step) throws IOException {
        List<Path> all = ObjdumpParity.objects(List.of(root()));
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += step) {
            out.add(all.get(i));
        }
        return out;
    }
}
