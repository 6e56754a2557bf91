package io.objtool.arm64;

import static io.objtool.arm64.Arm64Regs.FP;
import static io.objtool.arm64.Arm64Regs.SP;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.objtool.api.arch.DecodeStatus;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnType;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target: the AArch64 decoder on arbitrary byte runs, decoded at every offset (aligned or
 * not) up to {@link #MAX_RUN} bytes, in and out of a function. It never throws; four bytes or
 * more always decode, to exactly 4 bytes, and fewer are {@link DecodeStatus#TRUNCATED}; the array
 * and memory-segment decoders and the length-and-type pass agree, and bytes past the word change
 * nothing. What the decoder promises about each word is checked from the word's bits, as the
 * Arm ARM lays them out and as {@link ObjdumpOracle} reads objdump's text:
 * <ul>
 *   <li>the direct branches (B, BL, B.cond, BC.cond, CBZ/CBNZ, TBZ/TBNZ) and only they have a
 *       displacement, their type is the one the decoder's contract gives, and
 *       {@code branchTarget} is the offset plus the word's scaled immediate;</li>
 *   <li>the register branches, returns and exception returns come only from the unconditional
 *       branch (register) group, with the {@code opc} field that names them; traps are BRK and
 *       UDF, NOPs are hints;</li>
 *   <li>the stack ops are coherent: only on non-control-flow words; a store goes from a general
 *       register to memory at sp or x29, a load from there to a general register; every other op
 *       writes sp or x29, or copies sp into a register; one base per memory access with the
 *       second register of a pair 8 bytes further, at most one write-back of that base; an
 *       unevaluable write (CONST) only of sp or x29, and {@link DecodedInsn#F_UNMODELLED_SP_WRITE}
 *       exactly when sp gets one.</li>
 * </ul>
 * {@code scripts/fuzz.sh arm64 SECONDS} fuzzes it; {@code mvn verify} runs the inputs kept in
 * {@code Arm64DecoderFuzzTestInputs/}, and {@link #seeds} the seeds.
 */
class Arm64DecoderFuzzTest {
    /** Bytes of a run decoded at every offset. */
    static final int MAX_RUN = 64;

    private static final Arm64Decoder DEC = new Arm64Decoder();
    private static final DecodedInsn A = new DecodedInsn();
    private static final DecodedInsn B = new DecodedInsn();

    /** The seeds scripts/fuzz.sh writes too: the words of the decoder's own tests, as runs. */
    static final int[] SEED_WORDS = {
        0xa9be7bfd, 0x910003fd, 0x910043fd, 0xa8c27bfd, 0xa90153f3, 0xd14043ff, 0x910003bf, 0xcb2963ff,
        0xf940001d, 0xd280003d, 0xf10043ff, 0x14000002, 0x97ffffff, 0x54ffffc1, 0xb4000080, 0x37180023,
        0xd61f0200, 0xd63f0020, 0xd65f03c0, 0xd65f0bff, 0xd69f03e0, 0xd4210000, 0xd503233f, 0xd503245f,
        0xd503203f, 0x927cedff, 0xf81f0ffe, 0xf84107fe, 0xd9200fff, 0x3c9f0fe0, 0x4c9f73e0, 0xf8fff7fd,
    };

    @Test
    void seeds() {
        for (byte[] run : seedRuns()) fuzzerTestOneInput(run);
        // every class of the decoder's table, with sp and x29 in its register fields
        for (int[] f : Arm64Decoder.FORMS) {
            for (int regs : new int[] {0, 0x3ff, 0x3bd, 0x3fd, 0x3bf}) {
                fuzzerTestOneInput(run(f[1] | (regs & ~f[0]), 0));
            }
        }
    }

    /** The seed runs: the seed words in fours, each run ending in the in-function byte. */
    static List<byte[]> seedRuns() {
        List<byte[]> runs = new java.util.ArrayList<>();
        for (int i = 0; i < SEED_WORDS.length; i += 4) {
            runs.add(run(SEED_WORDS[i], SEED_WORDS[i + 1], SEED_WORDS[i + 2], SEED_WORDS[i + 3], 1));
        }
        return runs;
    }

    private static byte[] run(int... words) {
        byte[] b = new byte[(words.length - 1) * 4 + 1];
        for (int i = 0; i < words.length - 1; i++) {
            for (int k = 0; k < 4; k++) b[i * 4 + k] = (byte) (words[i] >>> (8 * k));
        }
        b[b.length - 1] = (byte) words[words.length - 1];
        return b;
    }

    /** Writes the seed runs into {@code args[0]} (scripts/fuzz.sh). */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
        java.nio.file.Files.createDirectories(dir);
        int i = 0;
        for (byte[] r : seedRuns()) java.nio.file.Files.write(dir.resolve("words-" + i++), r);
    }

    @FuzzTest
    void decode(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** Entry point of the standalone fuzzer: the last byte's low bit says in or out of a function. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 2) return;
        boolean inFunction = (data[data.length - 1] & 1) != 0;
        int n = Math.min(MAX_RUN, data.length - 1);
        byte[] bytes = Arrays.copyOf(data, n);
        byte[] padded = Arrays.copyOf(bytes, n + 8);
        Arrays.fill(padded, n, n + 8, (byte) 0x94); // a BL: bytes past the end must not matter
        MemorySegment m = MemorySegment.ofArray(bytes);
        MemorySegment p = MemorySegment.ofArray(padded);
        for (int off = 0; off < n; off++) {
            int avail = n - off;
            boolean okA = DEC.decode(m, off, n, inFunction, A);
            String where = String.format(Locale.ROOT, "%s at %d of %d", hex(bytes, off), off, n);
            if (avail < 4) {
                if (okA || A.status() != DecodeStatus.TRUNCATED || A.length() != avail) {
                    throw new AssertionError(where + ": " + avail + " bytes decode to " + A);
                }
                int lt = DEC.lengthAndType(m, off, n, inFunction);
                if (lt != -avail) throw new AssertionError(where + ": lengthAndType " + lt + " for " + avail + " bytes");
                if (DEC.decode(bytes, off, B) || B.status() != DecodeStatus.TRUNCATED || B.length() != avail) {
                    throw new AssertionError(where + ": the array decoder gives " + B);
                }
                continue;
            }
            if (!okA || !A.ok() || A.length() != 4) throw new AssertionError(where + ": " + A);
            String a = describe(A);
            if (!DEC.decode(bytes, off, B) || !describe(B).equals(a)) {
                throw new AssertionError(where + ": segment " + a + ", array " + describe(B));
            }
            if (!DEC.decode(p, off, off + 4, !inFunction, B) || !describe(B).equals(a)) {
                throw new AssertionError(where + ": with other bytes after it, or out of a function, " + describe(B) + ", not " + a);
            }
            int lt = DEC.lengthAndType(p, off, n + 8, inFunction);
            if (lt != (4 | A.typeOrdinal() << 8)) throw new AssertionError(where + ": lengthAndType " + lt + ", decode " + a);
            int w = (bytes[off] & 0xff) | (bytes[off + 1] & 0xff) << 8 | (bytes[off + 2] & 0xff) << 16 | (bytes[off + 3] & 0xff) << 24;
            check(w, off * 4L + 0x1000, where);
        }
    }

    /** The decoder's promises about {@code w}, decoded at {@code at}, from the word's bits. */
    static void check(int w, long at, String where) {
        DEC.decodeWord(w, A);
        String got = describe(A);
        InsnType t = A.type();
        // direct branches: the displacement and type from the encoding
        long disp = Long.MIN_VALUE;
        InsnType want = null;
        if ((w & 0x7c000000) == 0x14000000) {                    // b, bl: imm26
            disp = (long) (w << 6 >> 6) * 4;
            want = w < 0 ? InsnType.CALL : InsnType.JUMP_UNCONDITIONAL;
        } else if ((w & 0xff000000) == 0x54000000) {             // b.cond (bit 4 clear), bc.cond (set): imm19
            disp = (long) (w << 8 >> 13) * 4;
            boolean always = (w & 0x10) == 0 && (w & 0xe) == 0xe; // b.al, b.nv
            want = always ? InsnType.JUMP_UNCONDITIONAL : InsnType.JUMP_CONDITIONAL;
        } else if ((w & 0x7e000000) == 0x34000000) {             // cbz, cbnz: imm19
            disp = (long) (w << 8 >> 13) * 4;
            want = InsnType.JUMP_CONDITIONAL;
        } else if ((w & 0x7e000000) == 0x36000000) {             // tbz, tbnz: imm14
            disp = (long) (w << 13 >> 18) * 4;
            want = InsnType.JUMP_CONDITIONAL;
        }
        if (want != null) {
            if (t != want) fail(w, where, got, "a direct branch of type " + want);
            if (!A.has(DecodedInsn.F_IMMEDIATE) || A.branchTarget(at) != at + disp) {
                fail(w, where, got, String.format(Locale.ROOT, "target %#x from %#x", at + disp, at));
            }
        } else {
            if (t.isDirectBranch()) fail(w, where, got, "no direct branch");
            if (A.has(DecodedInsn.F_IMMEDIATE) || A.immediate() != 0) fail(w, where, got, "no immediate");
        }
        // the branch (register) group: opc (bits 24:21) names br, blr, ret, eret/drps
        boolean branchReg = (w & 0xfe000000) == 0xd6000000;
        int opc = (w >>> 21) & 15;
        switch (t) {
            case JUMP_DYNAMIC -> { if (!branchReg || (opc & 7) != 0) fail(w, where, got, "br, braa(z), brab(z)"); }
            case CALL_DYNAMIC -> { if (!branchReg || (opc & 7) != 1) fail(w, where, got, "blr, blraa(z), blrab(z)"); }
            case RETURN -> { if (!branchReg || opc != 2) fail(w, where, got, "ret, retaa, retab"); }
            case CONTEXT_SWITCH -> { if (!branchReg || opc != 4 && opc != 5) fail(w, where, got, "eret(aa|ab), drps"); }
            case BUG -> { if ((w & 0xffe0001f) != 0xd4200000 && (w >>> 16) != 0) fail(w, where, got, "brk or udf"); }
            case NOP -> { if ((w & 0xfffff01f) != 0xd503201f) fail(w, where, got, "a hint"); }
            case OTHER, JUMP_CONDITIONAL, JUMP_UNCONDITIONAL, CALL -> { }
            default -> fail(w, where, got, "a type the arm64 decoder does not give");
        }
        if (A.opcode() < 0 || A.opcode() >= Arm64Decoder.FORMS.length) fail(w, where, got, "an opcode indexing FORMS");
        stackOps(w, where, got, t);
    }

    private static void stackOps(int w, String where, String got, InsnType t) {
        int n = A.stackOpCount();
        if (n > DecodedInsn.MAX_STACK_OPS) fail(w, where, got, "at most " + DecodedInsn.MAX_STACK_OPS + " stack ops");
        if (n > 0 && t != InsnType.OTHER) fail(w, where, got, "no stack ops on a " + t);
        boolean constSp = false;
        int memBase = -1;
        int memOps = 0;
        int writeBacks = 0;
        int firstSlot = 0;
        for (int i = 0; i < n; i++) {
            OpSrcType s = A.srcType(i);
            OpDestType d = A.destType(i);
            int sr = A.srcReg(i);
            int dr = A.destReg(i);
            if (sr < 0 || sr > 31 || dr < 0 || dr > 31) fail(w, where, got, "registers 0..31");
            boolean tracked = dr == SP || dr == FP;
            if (d == OpDestType.REG_INDIRECT) {
                // a store of a general register (not xzr) at sp or x29
                if (s != OpSrcType.REG || !tracked || sr == 31) fail(w, where, got, "a store xN -> [sp|x29+off]");
                memBase = access(w, where, got, memBase, dr, memOps++ == 0, A.destOffset(i), firstSlot);
                if (memOps == 1) firstSlot = A.destOffset(i);
                continue;
            }
            if (d != OpDestType.REG) fail(w, where, got, "a register or memory destination");
            switch (s) {
                case REG_INDIRECT -> {
                    if ((sr != SP && sr != FP) || dr == SP) fail(w, where, got, "a load [sp|x29+off] -> xN");
                    memBase = access(w, where, got, memBase, sr, memOps++ == 0, A.srcOffset(i), firstSlot);
                    if (memOps == 1) firstSlot = A.srcOffset(i);
                }
                case ADD -> {
                    if (!tracked && sr != SP) fail(w, where, got, "an add writing sp or x29, or a copy of sp");
                    if (sr == dr && (sr == SP || sr == FP) && (memOps > 0 || i + 1 < n)) {
                        writeBacks++;
                        if (memBase >= 0 && memBase != sr) fail(w, where, got, "the write-back of the access's base");
                        if (memBase < 0) memBase = sr;
                    }
                    long off = A.srcOffset(i);
                    if (Math.abs(off) > 0xfffL << 12) fail(w, where, got, "an offset an encoding can hold");
                }
                case REG -> {
                    if (!tracked && sr != SP) fail(w, where, got, "a move to sp or x29, or a copy of sp");
                }
                case AND -> { if (dr != SP) fail(w, where, got, "and to sp only"); }
                case CONST -> {
                    if (!tracked) fail(w, where, got, "an unevaluable write of sp or x29 only");
                    if (dr == SP) constSp = true;
                }
                default -> fail(w, where, got, "a source the arm64 decoder does not give");
            }
        }
        if (writeBacks > 1) fail(w, where, got, "one write-back");
        if (constSp != A.has(DecodedInsn.F_UNMODELLED_SP_WRITE)) fail(w, where, got, "F_UNMODELLED_SP_WRITE exactly with an unevaluable write of sp");
    }

    /** One memory op of an access: the same base as the others, the second register 8 bytes past the first. */
    private static int access(int w, String where, String got, int base, int reg, boolean first, int offset, int firstSlot) {
        if (base >= 0 && base != reg) fail(w, where, got, "one base register per access");
        if (!first && offset != firstSlot + 8) fail(w, where, got, "the pair's second slot 8 bytes past the first");
        return reg;
    }

    private static void fail(int w, String where, String got, String want) {
        throw new AssertionError(String.format(Locale.ROOT, "%s: word %08x decodes to %s %s; the word says: %s",
                where, w, got, ObjdumpOracle.ops(A), want));
    }

    /** Everything the decoder reports. */
    static String describe(DecodedInsn d) {
        return d + " flags=" + d.flags() + " opcode=" + d.opcode() + " ops=" + ObjdumpOracle.ops(d);
    }

    private static String hex(byte[] b, int off) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < Math.min(b.length, off + 4); i++) sb.append(String.format(Locale.ROOT, "%02x", b[i]));
        return sb.toString();
    }
}
