package io.objtool.x86;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: assembles AT&amp;T assembly with GNU {@code as --64} and returns the bytes of
 * {@code .text} (extracted with {@code objcopy -O binary}). Fixtures stay as text in the tests.
 */
final class Asm {
    private Asm() {
    }

    private static Boolean available;

    /** True if {@code as} and {@code objcopy} can be run. */
    static synchronized boolean available() {
        if (available == null) {
            try {
                available = run(Path.of("."), "as", "--version") == 0 && run(Path.of("."), "objcopy", "--version") == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        return available;
    }

    /** Skips, or in CI fails, without GNU as and objcopy. */
    static void require() {
        io.objtool.testkit.Oracles.require(available(), "GNU as and objcopy (Debian: binutils)");
    }

    /** Assembles {@code source} (lines separated by newlines or ';') and returns its .text bytes. */
    static byte[] assemble(String source) {
        try {
            Path dir = Files.createTempDirectory("objtool-asm");
            try {
                Path s = dir.resolve("t.s");
                Path o = dir.resolve("t.o");
                Path bin = dir.resolve("t.bin");
                Files.writeString(s, ".text\n" + source.replace(';', '\n') + "\n", StandardCharsets.UTF_8);
                if (run(dir, "as", "--64", "-o", o.toString(), s.toString()) != 0) {
                    throw new IllegalArgumentException("as failed on: " + source);
                }
                if (run(dir, "objcopy", "-O", "binary", "--only-section=.text", o.toString(), bin.toString()) != 0) {
                    throw new IllegalStateException("objcopy failed");
                }
                return Files.readAllBytes(bin);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
