package io.objtool.arm64;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.lang.foreign.MemorySegment;

/**
 * The AArch64 switch dispatch of gcc and clang, whose table holds no relocations (its entries are
 * distances in instructions from a label near the dispatch), read back from the code:
 * <pre>
 *   cmp   wI, #N              // the bound: N + 1 entries (clang: cmp xI, #N, or cmp wK, #N; mov wI, wK)
 *   b.hi  default
 *   adrp  xT, table           // R_AARCH64_ADR_PREL_PG_HI21
 *   add   xT, xT, :lo12:table // R_AARCH64_ADD_ABS_LO12_NC: the table's section and offset
 *   ldrb  wE, [xT, wI, uxtw]  // or ldrh (#1), ldr w (#2): 1-, 2- or 4-byte entries ([xT, xI]: clang)
 *   adr   xB, base
 *   add   xJ, xB, wE, sxtb #2 // gcc: sxtb/uxtb/sxth/uxth/sxtw, the entries' sign;
 *                             // clang: add xJ, xB, xE, lsl #2, entries zero-extended by the load
 *   br    xJ
 * </pre>
 * and clang's 4-byte tables of byte distances: {@code ldrsw xE, [xT, xI, lsl #2]; add xJ, xB, xE}.
 * Each piece is looked for among the 32 instructions before the {@code br}, nearest first, but
 * the table's address anywhere in the function before the load (nearest first: gcc computes it
 * once before a loop that dispatches in each round), and the bound, when the dispatch block
 * stands after an unconditional branch (gcc moved it out of line), before the {@code b.cond} that
 * jumps to it; the targets are {@code base + 4 * entry}
 * ({@code base + entry} when the add does not shift). Anything else is not recognised (null).
 */
final class Arm64JumpTables {
    static final int R_AARCH64_ADD_ABS_LO12_NC = 277;
    private static final int WINDOW = 32;

    private Arm64JumpTables() {
    }

    static long[] targets(Section sec, long funcStart, long jump) {
        MemorySegment code = sec.data();
        if (jump < 0 || jump + 4 > code.byteSize()) return null;
        int br = word(code, jump);
        if ((br & 0xfffffc1f) != 0xd61f0000) return null; // br xN
        long lo = Math.max(funcStart, jump - 4L * WINDOW);
        int rJ = (br >>> 5) & 31;
        // add xJ, xB, wE, <ext> #2 (extended register), or add xJ, xB, xE{, lsl #2} (shifted register)
        long addAt = find(code, lo, jump, w -> ((w & 0xffe01c00) == 0x8b200800 || (w & 0xffe0fc00) == 0x8b000800
            || (w & 0xffe0fc00) == 0x8b000000) && (w & 31) == rJ);
        if (addAt < 0) return null;
        int add = word(code, addAt);
        boolean signed;
        int shift;
        if ((add & 0x00200000) == 0) {
            signed = false;                   // lsl: the load extended the entry
            shift = (add >>> 10) & 63;        // 2: entries in instructions; 0: in bytes
        } else {
            shift = 2;
            switch ((add >>> 13) & 7) {
                case 0, 1 -> signed = false;      // uxtb, uxth
                case 4, 5, 6 -> signed = true;    // sxtb, sxth, sxtw
                default -> {
                    return null;
                }
            }
        }
        int rB = (add >>> 5) & 31;
        int rE = (add >>> 16) & 31;
        long adrAt = find(code, lo, addAt, w -> (w & 0x9f00001f) == (0x10000000 | rB));
        if (adrAt < 0) return null;
        int adr = word(code, adrAt);
        long imm = ((long) ((adr >>> 5) & 0x7ffff) << 2) | ((adr >>> 29) & 3);
        long base = adrAt + ((imm << 43) >> 43);
        // ldrb / ldrh / ldr w, or the sign-extending ldrsb / ldrsh / ldrsw: register offset, the
        // index extended (uxtw) or not, scaled or not
        long ldrAt = find(code, lo, addAt, w -> (w & 0x3f200c00) == 0x38200800 && ((w >>> 22) & 3) != 0 && (w & 31) == rE);
        if (ldrAt < 0) return null;
        int ldr = word(code, ldrAt);
        int size = 1 << (ldr >>> 30);
        if (((ldr >>> 22) & 3) >= 2) signed = true; // ldrs*
        int index = (ldr >>> 13) & 7;
        if (size == 8 || (index != 2 && index != 3)) return null; // byte/half/word loads indexed by wI, uxtw or xI
        int rT = (ldr >>> 5) & 31;
        int rI = (ldr >>> 16) & 31;
        // the table: the relocation of the add that puts its low 12 bits into xT
        Relocations rel = sec.relocations();
        if (rel == null) return null;
        // (in a loop gcc computes it once, before the loop: anywhere in the function before the
        // load; under register pressure it keeps it in a stack slot: ldr xT, [sp, #n] after str xS, [sp, #n])
        int r = tableReloc(code, rel, funcStart, ldrAt, rT, 0);
        if (r < 0) return null;
        Symbol sym = rel.symbol(r);
        if (sym.section() == null) return null;
        MemorySegment table = sym.section().data();
        long tableOff = sym.value() + rel.addend(r);
        // the bound: cmp wI, #N (subs wzr, wI, #N) before the load
        // gcc may compare the register the index was copied from (mov wI, wX; cmp wX, #N)
        long movAt = find(code, funcStart, ldrAt, w -> (w & 0x7fe0ffff) == (0x2a0003e0 | rI));
        int rX = movAt < 0 ? -1 : (word(code, movAt) >>> 16) & 31;
        WordTest isCmp = w -> (w & 0x7fc003ff) == (0x7100001f | rI << 5)
                || (rX >= 0 && (w & 0x7fc003ff) == (0x7100001f | rX << 5));
        // the bound is the compare that set the flags the b.cond before the dispatch reads: the
        // nearest flag-setting instruction, which must be that compare
        long blockStart = blockStart(code, lo, ldrAt);
        long cmpAt = blockStart >= ldrAt ? -1 : find(code, blockStart, ldrAt, Arm64JumpTables::setsFlags);
        if (cmpAt >= 0 && !isCmp.test(word(code, cmpAt))) return null;
        if (cmpAt < 0) cmpAt = cmpBeforeBranchTo(code, funcStart, blockStart, isCmp);
        if (cmpAt < 0) return null;
        int cmp = word(code, cmpAt);
        long n = (long) ((cmp >>> 10) & 0xfff) + 1;
        if (tableOff < 0 || tableOff + n * size > table.byteSize()) return null;
        long[] out = new long[(int) n];
        for (int k = 0; k < n; k++) {
            long at = tableOff + (long) k * size;
            long e = switch (size) {
                case 1 -> signed ? table.get(JAVA_BYTE, at) : table.get(JAVA_BYTE, at) & 0xffL;
                case 2 -> signed ? table.get(JAVA_SHORT_UNALIGNED, at) : table.get(JAVA_SHORT_UNALIGNED, at) & 0xffffL;
                default -> signed ? table.get(JAVA_INT_UNALIGNED, at) : table.get(JAVA_INT_UNALIGNED, at) & 0xffffffffL;
            };
            out[k] = base + (e << shift);
        }
        return out;
    }

    /**
     * The relocation of the {@code add xT, xP, :lo12:table} that last wrote {@code xT} before
     * {@code at} (the nearest writer, in address order), through at most one stack slot; or -1
     * when that writer is something else.
     */
    private static int tableReloc(MemorySegment code, Relocations rel, long funcStart, long at, int rT, int depth) {
        long w = at - 4;
        int insn;
        boolean skipped = false;
        while (true) {
            while (w >= funcStart && (!writes(word(code, w), rT) || returnsStraight(code, w, at))) w -= 4;
            if (w < funcStart) return -1;
            insn = word(code, w);
            if ((insn & 0x9f000000) == 0x90000000 && skipped) { // the adrp of the string's add
                w -= 4;
                continue;
            }
            if ((insn & 0xffc0001f) != (0x91000000 | rT)) break;
            // add xT, xP, #lo12 (xP: the adrp's register). The address of a string is not a
            // table: gcc reuses xT for one on another path that lies in between in address order
            int r = rel.at(w);
            if (r < 0 || rel.type(r) != R_AARCH64_ADD_ABS_LO12_NC) return -1;
            Section target = rel.symbol(r).section();
            if (target == null || (target.flags() & Elf.SHF_STRINGS) == 0) return r;
            skipped = true;
            w -= 4;
        }
        if (depth == 0 && (insn & 0xffc003e0) == 0xf94003e0) { // ldr xT, [sp, #n]
            int slot = insn & 0x003ffc00;
            long st = find(code, funcStart, w, x -> (x & 0xffc003e0) == 0xf90003e0 && (x & 0x003ffc00) == slot);
            if (st < 0) return -1;
            return tableReloc(code, rel, funcStart, st, word(code, st) & 31, depth + 1);
        }
        return -1;
    }

    /**
     * Whether the code after {@code at} runs straight (no branch) into a return before
     * {@code limit}: a register written there (an epilogue's {@code ldp}) is not the one read at
     * {@code limit}.
     */
    private static boolean returnsStraight(MemorySegment code, long at, long limit) {
        for (long p = at + 4; p < limit && p <= at + 4L * 16; p += 4) {
            int w = word(code, p);
            if (w == 0xd65f03c0 || (w & 0xfffffbff) == 0xd65f0bff) return true; // ret, retaa/retab
            if ((w & 0x1c000000) == 0x14000000 && (w & 0xffc00000) != 0xd5000000) return false; // a branch (not a hint)
        }
        return false;
    }

    /**
     * Whether {@code w} sets the condition flags: adds/subs (cmp, cmn) immediate, shifted or
     * extended register, ands (tst), adcs/sbcs, ccmp/ccmn, and floating-point compares.
     */
    static boolean setsFlags(int w) {
        return (w & 0x3f800000) == 0x31000000 || (w & 0x3f000000) == 0x2b000000
                || (w & 0x7f800000) == 0x72000000 || (w & 0x7f000000) == 0x6a000000
                || (w & 0x3fe00000) == 0x3a000000 || (w & 0x3fe00000) == 0x3a400000
                || (w & 0xff203c00) == 0x1e202000;
    }

    /**
     * Whether {@code w} may write register {@code reg}: its bits 0-4 name it and it is not a
     * store, a compare-and-branch, a test-and-branch or a conditional branch (which read that
     * field or hold a condition there). A second destination ({@code ldp}'s) is not seen.
     */
    private static boolean writes(int w, int reg) {
        if ((w & 31) != reg) return false;
        if ((w & 0x7c000000) == 0x14000000) return false; // b, bl: an immediate there
        if ((w & 0x0a000000) == 0x08000000 && (w & 0x00400000) == 0) return false; // load/store class, L = 0: a store
        if ((w & 0x7c000000) == 0x34000000) return false; // cbz/cbnz, tbz/tbnz
        return (w & 0xff000010) != 0x54000000; // b.cond
    }

    /**
     * Where the straight-line code that runs into {@code at} begins: after the nearest
     * unconditional {@code b}, {@code br} or {@code ret} before it (or {@code lo}).
     */
    private static long blockStart(MemorySegment code, long lo, long at) {
        long s = find(code, lo, at, w -> (w & 0xfc000000) == 0x14000000 || (w & 0xffbffc1f) == 0xd61f0000
                || (w & 0xfffffbff) == 0xd65f0bff);
        return s < 0 ? lo : s + 4;
    }

    /**
     * The bound of a dispatch block that gcc placed out of line (after the function's return),
     * reached by {@code cmp wI, #N; b.ls block}: the compare before a conditional branch to
     * {@code block}, or -1.
     */
    private static long cmpBeforeBranchTo(MemorySegment code, long funcStart, long block, WordTest isCmp) {
        long size = code.byteSize() & ~3L;
        for (long at = funcStart; at + 4 <= size; at += 4) {
            int w = word(code, at);
            if ((w & 0xff000010) != 0x54000000) continue; // b.cond
            long target = at + ((long) (w << 8 >> 13) << 2);
            if (target != block) continue;
            long cmpAt = find(code, Math.max(funcStart, at - 4L * WINDOW), at, Arm64JumpTables::setsFlags);
            if (cmpAt >= 0 && isCmp.test(word(code, cmpAt))) return cmpAt;
        }
        return -1;
    }

    private interface WordTest {
        boolean test(int w);
    }

    /** The offset of the nearest instruction in [lo, before) that passes {@code t}, or -1. */
    private static long find(MemorySegment code, long lo, long before, WordTest t) {
        for (long at = before - 4; at >= lo; at -= 4) {
            if (t.test(word(code, at))) return at;
        }
        return -1;
    }

    private static int word(MemorySegment code, long at) {
        return code.get(JAVA_INT_UNALIGNED, at);
    }
}
