package io.objtool.arm64;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

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
 * Each piece is looked for among the 32 instructions before the {@code br}, nearest first (the
 * table's address anywhere before in the function: clang may compute it once before a loop); the
 * targets are {@code base + 4 * entry} ({@code base + entry} when the add does not shift). Anything
 * else is not recognised (null).
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
        // (clang may set xT up once before a loop: then the nearest such add in the function)
        long tabAt = find(code, funcStart, ldrAt, w -> (w & 0xffc003ff) == (0x91000000 | rT << 5 | rT));
        if (tabAt < 0) return null;
        int r = rel.at(tabAt);
        if (r < 0 || rel.type(r) != R_AARCH64_ADD_ABS_LO12_NC) return null;
        Symbol sym = rel.symbol(r);
        if (sym.section() == null) return null;
        MemorySegment table = sym.section().data();
        long tableOff = sym.value() + rel.addend(r);
        // the bound: cmp wI, #N (subs wzr, wI, #N) before the load
        long cmpAt = find(code, lo, ldrAt, w -> (w & 0x7fc003ff) == (0x7100001f | rI << 5));
        if (cmpAt < 0) {
            // clang: the bound checked on another register, copied into the index (mov wI, wK)
            long movAt = find(code, lo, ldrAt, w -> (w & 0x7fe0ffff) == (0x2a0003e0 | rI));
            if (movAt < 0) return null;
            int rK = (word(code, movAt) >>> 16) & 31;
            cmpAt = find(code, lo, movAt, w -> (w & 0x7fc003ff) == (0x7100001f | rK << 5));
        }
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
