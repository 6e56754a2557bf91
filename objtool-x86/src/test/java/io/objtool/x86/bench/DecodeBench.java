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
 * Decoding speed over amdgpu.ko's .text (mmapped, decoded in place): our decoder (length, type and
 * stack ops, one reusable result) against capstone-java 4.0.2 with and without instruction detail.
 * One operation decodes the whole section linearly; M insns/s = insns / (ms/op) / 1000, and the
 * instruction count is printed at tear-down.
 *
 * <p>Run: {@code scripts/bench.sh objtool-x86 DecodeBench} (set {@code -Dobjtool.bench.ko=...}
 * to use another object).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class DecodeBench {

    static final Path DEFAULT_KO = Path.of(System.getProperty("user.home"),
            ".cache/objtool-corpus/6.12/orig/drivers/gpu/drm/amd/amdgpu/amdgpu.ko");

    private Arena arena;
    private MemorySegment text;
    private byte[] textBytes;
    private final X86Decoder decoder = new X86Decoder();
    private final DecodedInsn insn = new DecodedInsn();
    private Capstone capstoneDetail;
    private Capstone capstoneLength;
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
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("\n.text bytes=" + text.byteSize() + " insns decoded per op=" + lastCount);
        arena.close();
    }

    /** Our decoder over the mapped section: length, insn type, immediate and stack ops. */
    @Benchmark
    public long ours() {
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
        return n + sum;
    }

    /** capstone-java with detail on (groups give the control-flow class). */
    @Benchmark
    public long capstoneDetail() {
        return capstone(capstoneDetail);
    }

    /** capstone-java with detail off (length and mnemonic only). */
    @Benchmark
    public long capstoneNoDetail() {
        return capstone(capstoneLength);
    }

    private long capstone(Capstone cs) {
        byte[] all = textBytes;
        long n = 0;
        int off = 0;
        final int chunk = 1 << 16;
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
