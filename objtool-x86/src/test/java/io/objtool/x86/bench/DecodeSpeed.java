package io.objtool.x86.bench;

import io.objtool.api.arch.DecodedInsn;
import io.objtool.x86.CapstoneNativeAccess;
import io.objtool.x86.X86Decoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfSection;

/**
 * Companion to {@link DecodeBench} for shared machines: decodes amdgpu.ko's .text repeatedly and
 * reports the best rate per second of <em>thread CPU time</em> (and of wall time), which other
 * load on the machine disturbs much less than JMH's wall-clock throughput.
 *
 * <p>{@code java -cp ... io.objtool.x86.bench.DecodeSpeed [object.ko] [rounds]}
 */
public final class DecodeSpeed {
    private DecodeSpeed() {
    }

    public static void main(String[] args) throws Exception {
        Path ko = args.length > 0 ? Path.of(args[0]) : DecodeBench.DEFAULT_KO;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        ElfSection sec = ElfFile.from(Files.readAllBytes(ko)).firstSectionByName(".text");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(ko, StandardOpenOption.READ)) {
            MemorySegment text = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena)
                    .asSlice(sec.header.sh_offset, sec.header.sh_size);
            X86Decoder d = new X86Decoder();
            DecodedInsn insn = new DecodedInsn();
            long end = text.byteSize();
            measure("ours decode (type, imm, stack ops)", rounds, mx, () -> {
                long n = 0;
                for (long off = 0; off < end; n++) {
                    d.decode(text, off, end, true, insn);
                    off += insn.length();
                }
                return n;
            });
            measure("ours lengthAndType", rounds, mx, () -> {
                long n = 0;
                for (long off = 0; off < end; n++) {
                    int r = d.lengthAndType(text, off, end, true);
                    off += r < 0 ? -r : (r & 0xff);
                }
                return n;
            });
            if (CapstoneNativeAccess.available()) {
                try (CapstoneNativeAccess cs = new CapstoneNativeAccess(text)) {
                    measure("capstone 4 native via FFM, detail on", Math.max(3, rounds / 6), mx, cs::decodeAll);
                }
            }
        }
    }

    private interface Run {
        long run();
    }

    private static void measure(String name, int rounds, ThreadMXBean mx, Run r) {
        double bestCpu = 0;
        double bestWall = 0;
        long n = 0;
        for (int i = 0; i < rounds; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            n = r.run();
            long wall = System.nanoTime() - t0;
            long cpu = mx.getCurrentThreadCpuTime() - c0;
            bestCpu = Math.max(bestCpu, n * 1e3 / cpu);
            bestWall = Math.max(bestWall, n * 1e3 / wall);
        }
        System.out.printf("%-40s insns=%d  best %.1f M insns/cpu-s  best %.1f M insns/s wall%n", name, n, bestCpu, bestWall);
    }
}
