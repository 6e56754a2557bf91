package io.objtool.x86;

import static io.objtool.x86.OpcodeTables.*;

import io.objtool.api.arch.DecodeStatus;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.internal.DecodeWriter;
import io.objtool.api.arch.InsnDecoder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Table-driven x86-64 instruction decoder: prefixes, REX, the one-, two- and three-byte maps,
 * VEX2/VEX3, EVEX and 3DNow!, ModRM/SIB/displacement and immediates, followed by objtool
 * classification ({@link X86Classifier}) and stack ops ({@link X86StackOps}).
 *
 * <p>Most instructions take a fast path (at most one legacy prefix, an optional REX, a one-byte or
 * 0f opcode) that computes the layout from two 8-byte reads and three table look-ups without
 * branching on the bytes; decoding a section is bound by the latency from one instruction's start
 * to the next one's. Everything else goes through the general decoder, which {@code FastPathTest}
 * checks the fast path against.
 *
 * <p>The scratch fields below describe the instruction being decoded; they are package-visible for
 * the classifier and the stack-op builder. One decoder per thread.
 */
public final class X86Decoder implements InsnDecoder {
    /** Architectural maximum instruction length. */
    public static final int MAX_INSN_LEN = 15;

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong S64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // ---- scratch state of the current instruction ----
    /** 66 operand-size prefix seen (or implied by VEX.pp). */
    boolean opsize;
    /** 67 address-size prefix seen. */
    boolean adsize;
    /** Last of F2/F3 seen (0 if none), or implied by VEX.pp. */
    int rep;
    /** Number of legacy prefix bytes. */
    int prefixCount;
    /** REX byte, 0 if none (VEX/EVEX fill in W/R/X/B here too). */
    int rex;
    /** Opcode map (0, 1 = 0f, 2 = 0f38, 3 = 0f3a, or the VEX/EVEX map). */
    int map;
    /** Which prefix encoded the map: 0 legacy, 1 VEX, 2 EVEX (AMD's XOP is not one: objtool's decoder reads 8f as group 1a, pop, whatever its ModRM.reg). */
    int encoding;
    int opcode;
    /** ModRM byte or -1. */
    int modrm;
    /** For a VEX/EVEX group opcode, the ModRM.reg values objtool's decoder takes (a bit each), else -1. */
    private int groupRegs;
    /** SIB byte or -1. */
    int sib;
    long disp;
    int dispSize;
    long imm;
    int immSize;
    boolean ripRelative;

    private MemorySegment cachedSeg;
    private byte[] cachedArray;

    static final int ENC_LEGACY = 0;
    static final int ENC_VEX = 1;
    static final int ENC_EVEX = 2;

    @Override
    public boolean decode(byte[] code, int offset, DecodedInsn out) {
        if (code != cachedArray) {
            cachedArray = code;
            cachedSeg = MemorySegment.ofArray(code);
        }
        return decode(cachedSeg, offset, code.length, true, out);
    }

    @Override
    public boolean decode(MemorySegment code, long offset, long end, boolean inFunction, DecodedInsn out) {
        int desc;
        if (end - offset >= FAST_MIN_BYTES && (desc = fastDecode(code, offset)) >= 0) {
            int type = (desc >>> FD_TYPE_SHIFT) & 0x7f;
            if (type == X86Classifier.T_SPECIAL) {
                type = X86Classifier.classify(this, inFunction);
            }
            int isz = immSize;
            int ds = dispSize;
            int flags = ripRelative ? DecodedInsn.F_RIP_RELATIVE : 0;
            DecodeWriter.set(out, length, type, isz != 0, imm, flags, map, opcode, modrm,
                    ds == 0 ? 0 : length - isz - ds, ds, isz == 0 ? 0 : length - isz, isz);
            if (mayBeReported()) {
                DecodeWriter.addFlags(out, reported(code, offset));
            }
            if (mayTouchStack(desc) != 0) {
                if (map == 0 && (opcode & 0xf0) == 0x50) {
                    X86StackOps.pushPop(this, out);
                } else {
                    X86StackOps.build(this, inFunction, out);
                }
            }
            return true;
        }
        return decodeSlow(code, offset, end, inFunction, out);
    }

    /** {@link #decode} by the general decoder alone: the reference the fast path is tested against. */
    boolean decodeWithoutFastPath(MemorySegment code, long offset, long end, boolean inFunction, DecodedInsn out) {
        return decodeSlow(code, offset, end, inFunction, out);
    }

    /** Whether the fast path decodes the instruction at {@code offset} (for tests). */
    boolean fastPathTakes(MemorySegment code, long offset, long end) {
        return end - offset >= FAST_MIN_BYTES && fastDecode(code, offset) >= 0;
    }

    /**
     * Non-zero when the prefix fields ({@link #opsize}, {@link #adsize}, {@link #rep}, {@link
     * #prefixCount}, {@link #encoding}, {@link #danglingRex}, {@link #undefined}) may differ from
     * an unprefixed legacy instruction's, so that the fast path must rewrite them.
     */
    private int prefixState = -1;

    /** Every prefix, escape and layout the fast path does not cover, and the last bytes of a section. */
    private boolean decodeSlow(MemorySegment code, long offset, long end, boolean inFunction, DecodedInsn out) {
        load(code, offset, end);
        int status = decodeLength();
        if (status != 0) {
            DecodeWriter.reset(out);
            DecodeStatus s = switch (status) {
                case ERR_TRUNCATED -> DecodeStatus.TRUNCATED;
                case ERR_TOO_LONG -> DecodeStatus.TOO_LONG;
                default -> DecodeStatus.INVALID_OPCODE;
            };
            DecodeWriter.setResult(out, s, Math.max(1, length));
            return false;
        }
        int flags = 0;
        if (ripRelative) {
            flags |= DecodedInsn.F_RIP_RELATIVE;
        }
        if (encoding != ENC_LEGACY) {
            flags |= DecodedInsn.F_VEX;
        }
        if (danglingRex) {
            flags |= DecodedInsn.F_DANGLING_REX;
        }
        if (undefined) {
            flags |= DecodedInsn.F_UNDEFINED;
        }
        int dispOff = dispSize == 0 ? 0 : length - immSize - dispSize;
        DecodeWriter.set(out, length, X86Classifier.classify(this, inFunction), immSize != 0, imm, flags, map, opcode, modrm,
                dispOff, dispSize, immSize == 0 ? 0 : length - immSize, immSize);
        if (mayBeReported()) {
            DecodeWriter.addFlags(out, reported(code, offset));
        }
        if (mayHaveStackOps()) {
            if (map == 0 && (opcode & 0xf0) == 0x50) {
                X86StackOps.pushPop(this, out); // the most frequent stack ops
            } else {
                X86StackOps.build(this, inFunction, out); // large, so not inlined: called only when it can add ops
            }
        }
        return true;
    }

    /**
     * A cheap test for the opcodes objtool reports while decoding: ENQCMD (0f 38 f8), an indirect
     * call or jump (ff) that may carry notrack, LEA (8d) that may have a register operand.
     */
    private boolean mayBeReported() {
        return encoding == ENC_LEGACY && !danglingRex
                && (map == 0 && (opcode == 0xff || opcode == 0x8d) || map == 2 && opcode == 0xf8);
    }

    /**
     * The {@code DecodedInsn} flags objtool's decoder reports for the current instruction at
     * {@code offset}: {@code F_ENQCMD} when F2 is its only legacy prefix, {@code F_NOTRACK} for
     * ff /2, /3, /4 with a 3e prefix among its prefixes, {@code F_INVALID_LEA} for LEA with ModRM mod 3.
     */
    private int reported(MemorySegment code, long offset) {
        if (map == 0 && opcode == 0x8d) {
            return modrm >= 0xc0 ? DecodedInsn.F_INVALID_LEA : 0;
        }
        if (map == 0) {
            int reg = (modrm >> 3) & 7;
            if (reg < 2 || reg > 4) {
                return 0;
            }
            for (int i = 0; i < prefixCount; i++) {
                if (code.get(U8, offset + i) == 0x3e) {
                    return DecodedInsn.F_NOTRACK;
                }
            }
            return 0;
        }
        return prefixCount == 1 && (code.get(U8, offset) & 0xff) == 0xf2 ? DecodedInsn.F_ENQCMD : 0;
    }

    /** A cheap test of what {@link X86StackOps#build} looks at: a legacy opcode that can touch the stack. */
    private boolean mayHaveStackOps() {
        if (encoding != ENC_LEGACY || danglingRex) {
            return false;
        }
        if (map == 0) {
            return (OpcodeTables.MAP0[opcode] & OpcodeTables.STACK) != 0;
        }
        return map == 1 && (opcode == 0xa0 || opcode == 0xa1 || opcode == 0xa8 || opcode == 0xa9);
    }

    /**
     * The allocation-free fast path for a first pass over a section: length and {@link
     * io.objtool.api.arch.InsnType} only, packed as {@code length | typeOrdinal << 8}, or
     * {@code -length} (at least -1) when the bytes do not decode. Use {@link #decode} for the
     * immediate and the stack ops.
     */
    @Override
    public int lengthAndType(MemorySegment code, long offset, long end, boolean inFunction) {
        int desc;
        if (end - offset >= FAST_MIN_BYTES && (desc = fastDecode(code, offset)) >= 0) {
            int type = (desc >>> FD_TYPE_SHIFT) & 0x7f;
            if (type == X86Classifier.T_SPECIAL) {
                type = X86Classifier.classify(this, inFunction);
            }
            return length | type << 8;
        }
        load(code, offset, end);
        if (decodeLength() != 0) {
            return -Math.max(1, length);
        }
        return length | X86Classifier.classify(this, inFunction) << 8;
    }

    // ---- the fast path: at most one legacy prefix, an optional REX, one-byte or 0f opcode ----

    /**
     * Bytes that must be left in the section for the fast path, which reads 16 bytes.
     */
    private static final int FAST_MIN_BYTES = 16;

    /** Fast descriptor bit: the opcode has a ModRM byte. */
    private static final int FD_MODRM = 1;
    /** Fast descriptor bits 1..4: immediate size (0, 1, 2, 4 or 8) for the table's operand size. */
    private static final int FD_IMM_SHIFT = 1;
    /** Fast descriptor bit: group 3, the immediate exists only for /0 and /1 (test). */
    private static final int FD_GRP3 = 1 << 5;
    /** Fast descriptor bit: {@link OpcodeTables#STACK}. */
    private static final int FD_STACK = 1 << 6;
    /**
     * Fast descriptor bit: stack ops are possible only when ModRM or SIB name %rsp or %rbp (see
     * {@link #SPBP_MODRM}).
     */
    private static final int FD_STACK_SPBP = 1 << 7;
    /** Fast descriptor bit: with REX.W the opcode always goes to the stack-op builder (89, 8d). */
    private static final int FD_STACK_W = 1 << 15;
    /**
     * Per ModRM byte: bit 0 when a field names %rsp (reg 100, or rm 100 in register form) or the
     * memory operand is based on %rbp (rm 101 with a displacement); bit 1 when the SIB base decides
     * (rm 100 in memory form). REX extensions are ignored, so the test is a superset.
     */
    private static final byte[] SPBP_MODRM = new byte[256];
    /** Fast descriptor bits 8..14: the classifier's type (or its "special" marker). */
    private static final int FD_TYPE_SHIFT = 8;
    /** Fast descriptor value: take the slow path. */
    private static final int FD_SLOW = -1;

    /**
     * Fast descriptors indexed by {@code 66 << 10 | map << 9 | opcode << 1 | REX.W} for maps 0 and 1,
     * where 66 is 1 when the instruction has the operand-size prefix.
     */
    private static final int[] FAST = new int[2 << 10];

    /** Per first byte: {@link #FP_ONE} for a legacy prefix, with what it sets. */
    private static final int[] FAST_PREFIX = new int[256];
    private static final int FP_ONE = 1;
    private static final int FP_OPSIZE = 2;
    private static final int FP_ADSIZE = 4;
    private static final int FP_REP_SHIFT = 8;

    /**
     * ModRM layout without SIB details: bit 0 SIB follows, bits 1..3 displacement size, bit 4
     * RIP-relative, bit 5 a SIB with base 101 means disp32 and no base (mod 00, rm 100).
     */
    private static final byte[] MODRM_INFO = new byte[256];

    static {
        for (int m = 0; m < 256; m++) {
            int mod = m >>> 6;
            int rm = m & 7;
            int info = 0;
            if (mod != 3) {
                int ds = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                if (rm == 4) {
                    info |= 1;
                    if (mod == 0) {
                        info |= 1 << 5;
                    }
                } else if (mod == 0 && rm == 5) {
                    ds = 4;
                    info |= 1 << 4;
                }
                info |= ds << 1;
            }
            MODRM_INFO[m] = (byte) info;
        }
        for (int m = 0; m < 256; m++) {
            int reg = (m >>> 3) & 7;
            int rm = m & 7;
            int mod = m >>> 6;
            boolean direct = reg == 4 || mod == 3 && rm == 4 || mod != 3 && mod != 0 && rm == 5;
            SPBP_MODRM[m] = (byte) ((direct ? 1 : 0) | (mod != 3 && rm == 4 ? 2 : 0));
        }
        for (int b = 0; b < 256; b++) {
            FAST_PREFIX[b] = switch (PREFIX[b]) {
                case 0 -> 0;
                case P_66 -> FP_ONE | FP_OPSIZE;
                case P_67 -> FP_ONE | FP_ADSIZE;
                case P_F2 -> FP_ONE | 0xf2 << FP_REP_SHIFT;
                case P_F3 -> FP_ONE | 0xf3 << FP_REP_SHIFT;
                default -> FP_ONE; // lock, segment overrides
            };
        }
        for (int map = 0; map < 2; map++) {
            for (int op = 0; op < 256; op++) {
                for (int w = 0; w < 2; w++) {
                    FAST[map << 9 | op << 1 | w] = fastDescriptor(map, op, w != 0, false);
                    FAST[1 << 10 | map << 9 | op << 1 | w] = fastDescriptor(map, op, w != 0, true);
                }
            }
        }
    }

    private static int fastDescriptor(int map, int op, boolean rexW, boolean opsize) {
        int attr;
        if (map == 0) {
            if (PREFIX[op] != 0 || (op & 0xf0) == 0x40 || op == 0x0f || op == 0x62
                    || op == 0xc4 || op == 0xc5) {
                return FD_SLOW; // prefixes, a second REX, escapes (0f is looked up in map 1)
            }
            attr = MAP0[op];
        } else {
            if (op == 0x38 || op == 0x3a || op == 0x78) {
                return FD_SLOW; // three-byte maps; 0f 78 whose immediates depend on 66 and f2
            }
            attr = MAP1[op];
        }
        if ((attr & (INVALID | UNDEF)) != 0) {
            return FD_SLOW;
        }
        int size;
        int extra = 0;
        boolean o16 = opsize && !rexW;
        switch ((attr & IMM_MASK) >>> IMM_SHIFT) {
            case I_NONE -> size = 0;
            case I_B, I_REL8 -> size = 1;
            case I_W -> size = 2;
            case I_REL32, I_D -> size = 4;
            case I_Z -> size = o16 ? 2 : 4;
            case I_V -> size = rexW ? 8 : o16 ? 2 : 4;
            case I_C7 -> {
                if (opsize && rexW) {
                    return FD_SLOW; // mov takes 4 bytes, xbegin 2
                }
                size = opsize ? 2 : 4; // c7 /0 mov and xbegin agree otherwise
            }
            case I_GRP3B -> {
                size = 1;
                extra = FD_GRP3;
            }
            case I_GRP3Z -> {
                size = o16 ? 2 : 4;
                extra = FD_GRP3;
            }
            default -> {
                return FD_SLOW; // enter, moffs
            }
        }
        if ((attr & STACK) != 0 && map == 0 || map == 1 && (op == 0xa0 || op == 0xa1 || op == 0xa8 || op == 0xa9)) {
            boolean always = map == 1 || (attr & MODRM) == 0 || op == 0xff || op == 0x8f;
            extra |= always ? FD_STACK : FD_STACK_SPBP;
            if (rexW && (op == 0x89 || op == 0x8d)) {
                extra |= FD_STACK_W; // mov %reg,%reg and lea produce ops for any register
            }
        }
        return ((attr & MODRM) != 0 ? FD_MODRM : 0) | size << FD_IMM_SHIFT | extra
                | X86Classifier.rawType(map, op) << FD_TYPE_SHIFT;
    }

    /**
     * 1 when the fast-path instruction may have stack ops (its descriptor has {@link #FD_STACK},
     * {@link #FD_STACK_W}, or {@link #FD_STACK_SPBP} and ModRM/SIB name %rsp or %rbp), else 0: a
     * superset of what {@link X86StackOps#build} accepts, computed without branches.
     */
    private int mayTouchStack(int desc) {
        int t = SPBP_MODRM[modrm & 0xff];
        int sibBase45 = (((sib & 6) ^ 4) - 1) >>> 31; // SIB base 100 or 101 (sib is -1 without SIB: no)
        return (desc >>> 6 | desc >>> 15) & 1 | (desc >>> 7) & (t | (t >>> 1) & sibBase45) & 1;
    }

    /** Sign-extends the low {@code n} bytes (0, 1, 2, 4 or 8) of {@code v}; 0 for {@code n == 0}. */
    private static long signExtend(long v, int n) {
        int shift = 64 - (n << 3);
        return ((v << shift) >> shift) & -(long) ((n + 7) >>> 3);
    }

    /**
     * Decodes the common shape without branching on the bytes: [one legacy prefix] [REX] then a
     * one-byte or 0f opcode, ModRM/SIB/displacement and an immediate. Fills the scratch state and
     * returns the fast descriptor, or {@link #FD_SLOW} when the slow path must decode the
     * instruction. At least {@link #FAST_MIN_BYTES} bytes must be left at {@code off}.
     */
    private int fastDecode(MemorySegment m, long off) {
        long w0 = m.get(S64, off);
        long w1 = m.get(S64, off + 8);
        long w = w0;
        int pfx = 0;
        if (PREFIX[(int) w & 0xff] != 0) {
            // a branch, not a table look-up on every instruction: decoding is bound by the latency
            // from one instruction's first byte to the next one's, and few have a legacy prefix
            pfx = FAST_PREFIX[(int) w & 0xff];
            w >>>= 8;
        }
        int hasPfx = pfx & FP_ONE;
        int b0 = (int) w & 0xff;
        int isRex = (b0 & 0xf0) == 0x40 ? 1 : 0;
        int rexByte = b0 & -isRex;
        w >>>= isRex << 3;
        int is0f = ((int) w & 0xff) == 0x0f ? 1 : 0;
        w >>>= is0f << 3;
        int op = (int) w & 0xff;
        int desc = FAST[(pfx & FP_OPSIZE) << 9 | is0f << 9 | op << 1 | ((rexByte >>> 3) & 1)];
        if (desc < 0) {
            return FD_SLOW;
        }
        rex = rexByte;
        map = is0f;
        opcode = op;
        fastOperands(w0, w1, (int) (w >>> 8) & 0xffff, hasPfx + isRex + is0f + 1, desc);
        if ((pfx | prefixState) != 0) {
            prefixes(pfx); // most instructions have no prefix, and the state is already clean
        }
        return desc;
    }

    /**
     * The rest of {@link #fastDecode} (kept apart so that both stay small enough for the JIT to
     * inline): ModRM, SIB, displacement and immediate from the two bytes after the opcode at
     * {@code pos}; {@code w0} and {@code w1} are the first 16 bytes of the instruction.
     */
    private void fastOperands(long w0, long w1, int modrmSib, int pos, int desc) {
        int hasModrm = desc & FD_MODRM;
        int mrm = modrmSib & 0xff;
        int info = MODRM_INFO[mrm] & -hasModrm;
        int sibByte = modrmSib >>> 8;
        int hasSib = info & 1;
        // disp32 without base: mod 00, rm 100 and SIB base 101
        int ds = ((info >>> 1) & 7) | (((info >>> 5) & ((((sibByte & 7) ^ 5) - 1) >>> 31)) << 2);
        int dispPos = pos + hasModrm + hasSib;
        int isz = (desc >>> FD_IMM_SHIFT) & 15;
        if ((desc & FD_GRP3) != 0 && (mrm & 0x30) != 0) {
            isz = 0; // group 3 other than test
        }
        int immPos = dispPos + ds;
        // the 8 bytes from dispPos (1..6) hold the displacement and then the immediate: ds + isz <= 8
        long operands = w0 >>> (dispPos << 3) | w1 << (64 - (dispPos << 3));
        modrm = mrm | (hasModrm - 1);
        sib = sibByte | (hasSib - 1);
        disp = signExtend(operands, ds);
        dispSize = ds;
        imm = signExtend(operands >>> (ds << 3), isz);
        immSize = isz;
        ripRelative = (info & (1 << 4)) != 0;
        length = immPos + isz;
    }

    /** The scratch state of a legacy-encoded instruction with at most one legacy prefix. */
    private void prefixes(int pfx) {
        prefixState = pfx;
        opsize = (pfx & FP_OPSIZE) != 0;
        adsize = (pfx & FP_ADSIZE) != 0;
        rep = pfx >>> FP_REP_SHIFT;
        prefixCount = pfx & FP_ONE;
        encoding = ENC_LEGACY;
        danglingRex = false;
        undefined = false;
    }

    // ---- the instruction window: up to 16 bytes held in two little-endian longs ----

    /** Bytes 0..7 of the window. */
    private long w0;
    /** Bytes 8..15 of the window. */
    private long w1;
    /** Bytes that exist in the window (the section may end before 16). */
    private int avail;
    /** Bytes left in the section from the instruction start. */
    private long remaining;

    /** Loads the window at {@code off}: two unaligned 8-byte reads when 16 bytes are left. */
    private void load(MemorySegment m, long off, long end) {
        long left = end - off;
        remaining = left;
        if (left >= 16) {
            w0 = m.get(S64, off);
            w1 = m.get(S64, off + 8);
            avail = 16;
            return;
        }
        long a = 0;
        long b = 0;
        int n = (int) Math.max(0, left);
        for (int i = 0; i < n; i++) {
            long v = m.get(U8, off + i) & 0xffL;
            if (i < 8) {
                a |= v << (i << 3);
            } else {
                b |= v << ((i - 8) << 3);
            }
        }
        w0 = a;
        w1 = b;
        avail = n;
    }

    /** Unsigned byte {@code i} (0..15) of the window. */
    private int at(int i) {
        return (int) ((i < 8 ? w0 >>> (i << 3) : w1 >>> ((i - 8) << 3)) & 0xff);
    }

    /** Sign-extended little-endian value of {@code n} (1, 2, 4, 8) bytes at window index {@code i}. */
    private long value(int i, int n) {
        long v;
        if (i + n <= 8) {
            v = w0 >>> (i << 3);
        } else if (i >= 8) {
            v = w1 >>> ((i - 8) << 3);
        } else {
            v = (w0 >>> (i << 3)) | (w1 << ((8 - i) << 3));
        }
        int shift = 64 - (n << 3); // sign-extend the low n bytes without a branch
        return (v << shift) >> shift;
    }

    // ---- length decoding ----

    private static final int ERR_TRUNCATED = 1;
    private static final int ERR_INVALID = 2;
    private static final int ERR_TOO_LONG = 3;

    /** Bytes consumed so far / final length. */
    int length;
    /** A REX prefix followed by a legacy prefix: decoded alone, as objdump does. */
    boolean danglingRex;
    /** The opcode is undefined or invalid in 64-bit mode but decoded as objtool does ({@link OpcodeTables#UNDEF}). */
    boolean undefined;

    /**
     * Decodes the layout of the instruction in the window. Returns 0 or an ERR_ code; sets
     * {@link #length} in both cases.
     */
    private int decodeLength() {
        prefixState = -1;
        opsize = false;
        adsize = false;
        rep = 0;
        prefixCount = 0;
        rex = 0;
        map = 0;
        encoding = ENC_LEGACY;
        modrm = -1;
        groupRegs = -1;
        sib = -1;
        disp = 0;
        dispSize = 0;
        imm = 0;
        immSize = 0;
        ripRelative = false;
        danglingRex = false;
        undefined = false;
        length = 0;

        final int limit = Math.min(avail, MAX_INSN_LEN);
        int p = 0;
        int b;
        // legacy prefixes and REX; REX counts only right before the opcode
        while (true) {
            if (p >= limit) {
                return fail(p + 1);
            }
            b = at(p);
            int pk = PREFIX[b];
            if (pk != 0) {
                if (rex != 0) {
                    // objdump prints a REX that is not last as its own one-byte "rex" instruction
                    length = p;
                    if (length == 1) {
                        danglingRex = true;
                        opcode = rex;
                        rex = 0;
                        return 0;
                    }
                    return ERR_INVALID;
                }
                switch (pk) {
                    case P_66 -> opsize = true;
                    case P_67 -> adsize = true;
                    case P_F2 -> rep = 0xf2;
                    case P_F3 -> rep = 0xf3;
                    default -> { }
                }
                prefixCount++;
                p++;
                continue;
            }
            if ((b & 0xf0) == 0x40) {
                if (rex != 0 && p == 1) {
                    // REX followed by REX: objdump shows the first on its own
                    length = 1;
                    danglingRex = true;
                    opcode = rex;
                    rex = 0;
                    return 0;
                }
                rex = b;
                p++;
                continue;
            }
            break;
        }
        p++; // past the first opcode byte b
        int attr;
        switch (b) {
            case 0x0f -> {
                if (p >= limit) {
                    return fail(p + 1);
                }
                int b2 = at(p++);
                if (b2 == 0x38 || b2 == 0x3a) {
                    if (p >= limit) {
                        return fail(p + 1);
                    }
                    map = b2 == 0x38 ? 2 : 3;
                    opcode = at(p++);
                    attr = (map == 2 ? MAP2 : MAP3)[opcode];
                } else {
                    map = 1;
                    opcode = b2;
                    attr = MAP1[b2];
                }
            }
            case 0xc4, 0xc5 -> {
                if (rex != 0 || prefixCount != 0 && (opsize || rep != 0)) {
                    // VEX after REX/66/F2/F3 is #UD; objdump prints (bad)
                    length = p;
                    return ERR_INVALID;
                }
                encoding = ENC_VEX;
                int r;
                int pp;
                if (b == 0xc5) {
                    if (p >= limit) {
                        return fail(p + 1);
                    }
                    int v1 = at(p++);
                    r = 0x40 | ((~v1 >> 5) & 4); // R
                    map = 1;
                    pp = v1 & 3;
                    impliedPrefix(pp);
                } else {
                    if (p + 1 >= limit) {
                        return fail(p + 2);
                    }
                    int v1 = at(p++);
                    int v2 = at(p++);
                    r = 0x40 | ((~v1 >> 5) & 7) | ((v2 & 0x80) >> 4); // R X B, W
                    map = v1 & 0x1f;
                    pp = v2 & 3;
                    impliedPrefix(pp);
                }
                rex = r;
                if (p >= limit) {
                    return fail(p + 1);
                }
                opcode = at(p++);
                attr = vexAttr(map, opcode);
                groupRegs = vexGroupRegs(map, pp, opcode);
                if (attr < 0 || groupRegs < 0 && !vexValid(false, map, pp, opcode)) {
                    length = p;
                    return ERR_INVALID;
                }
            }
            case 0x62 -> {
                if (p + 2 >= limit) {
                    return fail(p + 3);
                }
                encoding = ENC_EVEX;
                int p0 = at(p++);
                int p1 = at(p++);
                p++; // P2: z, L'L, b, V', aaa
                if ((p1 & 0x04) == 0) {
                    length = p;
                    return ERR_INVALID; // the fixed 1 bit
                }
                rex = 0x40 | ((~p0 >> 5) & 7) | ((p1 & 0x80) >> 4);
                map = p0 & 7;
                int pp = p1 & 3;
                impliedPrefix(pp);
                if (p >= limit) {
                    return fail(p + 1);
                }
                opcode = at(p++);
                attr = evexAttr(map, opcode);
                groupRegs = vexGroupRegs(map, pp, opcode);
                if (attr < 0 || groupRegs < 0 && !vexValid(true, map, pp, opcode)) {
                    length = p;
                    return ERR_INVALID;
                }
            }
            default -> {
                opcode = b;
                attr = MAP0[b];
            }
        }
        if ((attr & INVALID) != 0) {
            length = p;
            return ERR_INVALID;
        }
        if ((attr & UNDEF) != 0) {
            undefined = true;
            if ((attr & IMM_MASK) >>> IMM_SHIFT == I_FARPTR && (rex & 8) != 0) {
                length = p;
                return ERR_INVALID; // objtool's decoder rejects a far pointer with REX.W
            }
        }
        if ((attr & MODRM) != 0) {
            if (p >= limit) {
                return fail(p + 1);
            }
            int mrm = at(p++);
            modrm = mrm;
            if (groupRegs >= 0 && (groupRegs >> ((mrm >> 3) & 7) & 1) == 0) {
                length = p;
                return ERR_INVALID; // a VEX/EVEX group member objtool's decoder does not know
            }
            int mod = mrm >>> 6;
            if (mod != 3) {
                int rm = mrm & 7;
                int ds = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                if (rm == 4) {
                    if (p >= limit) {
                        return fail(p + 1);
                    }
                    int s = at(p++);
                    sib = s;
                    if (mod == 0 && (s & 7) == 5) {
                        ds = 4;
                    }
                } else if (mod == 0 && rm == 5) {
                    ds = 4;
                    ripRelative = true;
                }
                if (ds != 0) {
                    if (p + ds > limit) {
                        return fail(p + ds);
                    }
                    disp = value(p, ds);
                    dispSize = ds;
                    p += ds;
                }
            }
        }
        int kind = (attr & IMM_MASK) >>> IMM_SHIFT;
        if (kind != I_NONE) {
            int size = immSize(kind);
            if (size != 0) {
                if (p + size > limit) {
                    return fail(p + size);
                }
                imm = value(p, size == 3 ? 2 : size); // enter: report the frame size
                immSize = size;
                p += size;
            }
        }
        length = p;
        return 0;
    }

    private int immSize(int kind) {
        boolean o16 = opsize && (rex & 8) == 0;
        return switch (kind) {
            case I_B, I_REL8 -> 1;
            case I_W -> 2;
            case I_Z -> o16 ? 2 : 4;
            case I_V -> (rex & 8) != 0 ? 8 : o16 ? 2 : 4;
            case I_W_B -> 3;
            case I_REL32, I_D -> 4;
            case I_MOFFS -> adsize ? 4 : 8;
            case I_GRP3B -> ((modrm >> 3) & 6) == 0 ? 1 : 0;
            case I_GRP3Z -> ((modrm >> 3) & 6) == 0 ? (o16 ? 2 : 4) : 0;
            case I_0F78 -> opsize || rep == 0xf2 ? 2 : 0;
            case I_C7 -> modrm == 0xf8 ? (opsize ? 2 : 4) : (o16 ? 2 : 4);
            case I_FARPTR -> o16 ? 4 : 6;
            default -> 0;
        };
    }

    private void impliedPrefix(int pp) {
        switch (pp) {
            case 1 -> opsize = true;
            case 2 -> rep = 0xf3;
            case 3 -> rep = 0xf2;
            default -> { }
        }
    }

    private static int vexAttr(int map, int op) {
        return switch (map) {
            case 1 -> VEX_MAP1[op];
            case 2 -> MODRM;
            case 3 -> MODRM | (I_B << IMM_SHIFT);
            default -> -1;
        };
    }

    private static int evexAttr(int map, int op) {
        return switch (map) {
            case 1 -> VEX_MAP1[op] | (op == 0x77 ? 0 : MODRM); // as VEX: 0f 77 takes no ModRM
            case 2, 5, 6 -> MODRM;
            case 3 -> MODRM | (I_B << IMM_SHIFT);
            case 4 -> EVEX_MAP4[op] & 0xff;
            case 7 -> MODRM | (I_D << IMM_SHIFT);
            default -> -1;
        };
    }

    /**
     * The instruction needs the first {@code need} bytes of the window but hit a limit: truncated
     * if the section ends first, else longer than {@link #MAX_INSN_LEN}.
     */
    private int fail(int need) {
        length = Math.min(Math.max(1, Math.min(need, avail)), MAX_INSN_LEN);
        return need > remaining ? ERR_TRUNCATED : ERR_TOO_LONG;
    }

    // ---- helpers for the classifier and stack ops ----

    boolean rexW() {
        return (rex & 8) != 0;
    }

    /** ModRM.mod. */
    int mod() {
        return modrm >>> 6;
    }

    /** ModRM.reg extended by REX.R. */
    int modrmReg() {
        return ((modrm >> 3) & 7) | ((rex & 4) << 1);
    }

    /** ModRM.reg without extension: the group sub-opcode /digit. */
    int digit() {
        return (modrm >> 3) & 7;
    }

    /** ModRM.rm extended by REX.B. */
    int modrmRm() {
        return (modrm & 7) | ((rex & 1) << 3);
    }

    /**
     * Base register of a memory operand with no index (extended by REX.B), or -1 when the operand is
     * RIP-relative, absolute or indexed. Only meaningful when {@code mod() != 3}.
     */
    int simpleBase() {
        if (ripRelative) {
            return -1;
        }
        if (sib < 0) {
            return modrmRm();
        }
        int index = ((sib >> 3) & 7) | ((rex & 2) << 2);
        if (index != 4) {
            return -1; // indexed
        }
        if ((sib & 7) == 5 && mod() == 0) {
            return -1; // disp32 with no base
        }
        return (sib & 7) | ((rex & 1) << 3);
    }
}
