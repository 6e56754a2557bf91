package io.objtool.x86.bench;

import capstone.Capstone;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.x86.X86Decoder;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfSection;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding speed over amdgpu.ko's .text (mmapped, decoded in place): our decoder (length, type,
 * immediate and stack ops into one reusable result) against capstone 4.0.2, both through
 * capstone-java (JNA, as published) and through the same native library called with FFM
 * ({@code cs_disasm_iter}). The {@code insns} secondary result is instructions per second.
 *
 * <p>capstone-java converts every instruction into Java objects through JNA and manages only a few
 * ten thousand instructions per second, so its benchmarks decode a prefix of .text
 * ({@link #JNA_PREFIX} bytes without detail, {@link #JNA_DETAIL_PREFIX} with detail); rates are
 * per instruction and so comparable.
 *
 * <p>Run: {@code scripts/bench.sh objtool-x86 DecodeBench} (set {@code -Dobjtool.bench.ko=...}
 * to use another object).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class DecodeBench {

    /** Bytes of .text capstone-java decodes per operation without detail. */
    static final int JNA_PREFIX = 256 << 10;
    /** Bytes of .text capstone-java decodes per operation with detail. */
    static final int JNA_DETAIL_PREFIX = 32 << 10;

    /** Counts decoded instructions; JMH reports it as a rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Insns {
        public long insns;

        @Setup(Level.Iteration)
        public void reset() {
            insns = 0;
        }
    }

    static final Path DEFAULT_KO = io.objtool.testkit.Oracles.corpus("6.12/orig/drivers/gpu/drm/amd/amdgpu/amdgpu.ko");

    private Arena arena;
    private MemorySegment text;
    private byte[] textBytes;
    private final X86Decoder decoder = new X86Decoder();
    private final DecodedInsn insn = new DecodedInsn();
    private Capstone capstoneDetail;
    private Capstone capstoneLength;
    private io.objtool.x86.CapstoneNativeAccess capstoneNative;
    private long lastCount;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path ko = Path.of(System.getProperty("objtool.bench.ko", DEFAULT_KO.toString()));
        ElfFile elf = ElfFile.from(Files.readAllBytes(ko));
        ElfSection sec = elf.firstSectionByName(".text");
        arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(ko, StandardOpenOption.READ)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            text = file.asSlice(sec.header.sh_offset, sec.header.sh_size);
        }
        textBytes = sec.getData();
        capstoneDetail = new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64);
        capstoneDetail.setDetail(Capstone.CS_OPT_ON);
        capstoneLength = new Capstone(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64);
        if (io.objtool.x86.CapstoneNativeAccess.available()) {
            capstoneNative = new io.objtool.x86.CapstoneNativeAccess(text);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (lastCount > 0) {
            System.out.println("\n.text bytes=" + text.byteSize() + " insns decoded per op=" + lastCount);
        }
        if (capstoneNative != null) {
            capstoneNative.close();
        }
        capstoneDetail.close();
        capstoneLength.close();
        arena.close();
    }

    /** Our decoder over the mapped section: length, insn type, immediate and stack ops. */
    @Benchmark
    public long ours(Insns c) {
        MemorySegment t = text;
        long end = t.byteSize();
        long n = 0;
        long sum = 0;
        for (long off = 0; off < end; n++) {
            decoder.decode(t, off, end, true, insn);
            sum += insn.typeOrdinal();
            off += insn.length();
        }
        lastCount = n;
        c.insns += n;
        return n + sum;
    }

    /** Our first-pass decoder: length and insn type only ({@link X86Decoder#lengthAndType}). */
    @Benchmark
    public long oursLengthAndType(Insns c) {
        MemorySegment t = text;
        long end = t.byteSize();
        long n = 0;
        long sum = 0;
        for (long off = 0; off < end; n++) {
            int r = decoder.lengthAndType(t, off, end, true);
            sum += r;
            off += r < 0 ? -r : (r & 0xff);
        }
        c.insns += n;
        return n + sum;
    }

    /** Native capstone through FFM, detail on, whole .text. */
    @Benchmark
    public long capstoneNativeFfm(Insns c) {
        if (capstoneNative == null) {
            throw new IllegalStateException("libcapstone.so.4 missing");
        }
        long n = capstoneNative.decodeAll();
        c.insns += n;
        return n;
    }

    /** capstone-java with detail on (groups give the control-flow class), first JNA_DETAIL_PREFIX bytes. */
    @Benchmark
    public long capstoneJavaDetail(Insns c) {
        long n = capstone(capstoneDetail, JNA_DETAIL_PREFIX);
        c.insns += n;
        return n;
    }

    /** capstone-java with detail off (length and mnemonic only), first JNA_PREFIX bytes. */
    @Benchmark
    public long capstoneJavaNoDetail(Insns c) {
        long n = capstone(capstoneLength, JNA_PREFIX);
        c.insns += n;
        return n;
    }

    private long capstone(Capstone cs, int limit) {
        byte[] all = java.util.Arrays.copyOf(textBytes, Math.min(limit, textBytes.length));
        long n = 0;
        int off = 0;
        final int chunk = 1 << 12;
        while (off < all.length) {
            int end = Math.min(all.length, off + chunk);
            byte[] part = java.util.Arrays.copyOfRange(all, off, Math.min(all.length, end + 15));
            Capstone.CsInsn[] got = cs.disasm(part, off);
            int pos = 0;
            for (Capstone.CsInsn i : got) {
                if (pos >= end - off) {
                    break;
                }
                pos += i.size;
                n++;
            }
            if (pos == 0) {
                pos = 1; // invalid byte: skip it
            }
            off += pos;
        }
        return n;
    }
}
