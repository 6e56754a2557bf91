package io.objtool.x86;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the 6.12 module corpus (~/.cache/objtool-corpus/6.12/orig) and picks a sample of it. */
final class Corpus {
    private Corpus() {
    }

    /** Root of the unstripped corpus; override with -Dobjtool.corpus=DIR. */
    static Path root() {
        return Path.of(System.getProperty("objtool.corpus",
                System.getProperty("user.home") + "/.cache/objtool-corpus/6.12/orig"));
    }

    static boolean present() {
        return Files.isDirectory(root());
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
