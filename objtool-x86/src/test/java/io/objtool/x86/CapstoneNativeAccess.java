package io.objtool.x86;

import java.lang.foreign.MemorySegment;

/** Public door to {@link CapstoneNative} for the benchmarks package. */
public final class CapstoneNativeAccess implements AutoCloseable {
    private final CapstoneNative cs = new CapstoneNative();
    private final MemorySegment code;

    /** Decodes {@code code}, which must be native (e.g. mapped) memory. */
    public CapstoneNativeAccess(MemorySegment code) {
        this.code = code;
    }

    public static boolean available() {
        return CapstoneNative.available();
    }

    /** Decodes the whole segment linearly (skipping a byte where capstone fails); returns the count. */
    public long decodeAll() {
        long n = 0;
        long end = code.byteSize();
        for (long off = 0; off < end; n++) {
            int len = cs.disasm(code, off, end);
            off += len == 0 ? 1 : len;
        }
        return n;
    }

    @Override
    public void close() {
        cs.close();
    }
}
