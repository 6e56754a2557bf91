package io.objtool.x86;

import static io.objtool.x86.OpcodeTables.*;

import io.objtool.api.arch.DecodeStatus;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnDecoder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Table-driven x86-64 instruction decoder: prefixes, REX, the one-, two- and three-byte maps,
 * VEX2/VEX3, EVEX, XOP and 3DNow!, ModRM/SIB/displacement and immediates, followed by objtool
 * classification ({@link X86Classifier}) and stack ops ({@link X86StackOps}).
 *
 * <p>The scratch fields below describe the instruction being decoded; they are package-visible for
 * the classifier and the stack-op builder. One decoder per thread.
 */
public final class X86Decoder implements InsnDecoder {
    /** Architectural maximum instruction length. */
    public static final int MAX_INSN_LEN = 15;

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
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
    /** REX byte, 0 if none (VEX/EVEX/XOP fill in W/R/X/B here too). */
    int rex;
    /** Opcode map (0, 1 = 0f, 2 = 0f38, 3 = 0f3a, or the VEX/EVEX/XOP map). */
    int map;
    /** Which prefix encoded the map: 0 legacy, 1 VEX, 2 EVEX, 3 XOP. */
    int encoding;
    int opcode;
    /** ModRM byte or -1. */
    int modrm;
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
    static final int ENC_XOP = 3;

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
        out.reset();
        long limit = Math.min(end, offset + MAX_INSN_LEN);
        int status = decodeLength(code, offset, end, limit);
        if (status != 0) {
            DecodeStatus s = switch (status) {
                case ERR_TRUNCATED -> DecodeStatus.TRUNCATED;
                case ERR_TOO_LONG -> DecodeStatus.TOO_LONG;
                default -> DecodeStatus.INVALID_OPCODE;
            };
            out.setResult(s, Math.max(1, length));
            return false;
        }
        out.setResult(DecodeStatus.OK, length);
        out.setOpcode(map, opcode, modrm);
        int dispOff = dispSize == 0 ? 0 : length - immSize - dispSize;
        out.setLayout(dispOff, dispSize, immSize == 0 ? 0 : length - immSize, immSize);
        if (ripRelative) {
            out.addFlags(DecodedInsn.F_RIP_RELATIVE);
        }
        if (encoding != ENC_LEGACY) {
            out.addFlags(DecodedInsn.F_VEX);
        }
        if (danglingRex) {
            out.addFlags(DecodedInsn.F_DANGLING_REX);
        }
        if (immSize != 0) {
            out.setImmediate(imm);
        }
        X86Classifier.classify(this, inFunction, out);
        X86StackOps.build(this, inFunction, out);
        return true;
    }

    // ---- length decoding ----

    private static final int ERR_TRUNCATED = 1;
    private static final int ERR_INVALID = 2;
    private static final int ERR_TOO_LONG = 3;

    /** Bytes consumed so far / final length. */
    int length;
    /** A REX prefix followed by a legacy prefix: decoded alone, as objdump does. */
    boolean danglingRex;

    /**
     * Decodes the layout of the instruction at {@code off}. Returns 0 or an ERR_ code; sets
     * {@link #length} in both cases.
     */
    private int decodeLength(MemorySegment m, long off, long end, long limit) {
        opsize = false;
        adsize = false;
        rep = 0;
        prefixCount = 0;
        rex = 0;
        map = 0;
        encoding = ENC_LEGACY;
        modrm = -1;
        sib = -1;
        disp = 0;
        dispSize = 0;
        imm = 0;
        immSize = 0;
        ripRelative = false;
        danglingRex = false;
        length = 0;

        long p = off;
        int b;
        // legacy prefixes and REX; REX counts only right before the opcode
        while (true) {
            if (p >= limit) {
                return fail(off, p + 1, end);
            }
            b = m.get(U8, p) & 0xff;
            int pk = PREFIX[b];
            if (pk != 0) {
                if (rex != 0) {
                    // objdump prints a REX that is not last as its own one-byte "rex" instruction
                    length = (int) (p - off);
                    if (length == 1) {
                        danglingRex = true;
                        opcode = rex;
                        rex = 0;
                        return 0;
                    }
                    // legacy prefixes before the dangling REX: decode up to (not including) it
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
                if (rex != 0 && p - off == 1) {
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
                    return fail(off, p + 1, end);
                }
                int b2 = m.get(U8, p++) & 0xff;
                if (b2 == 0x38 || b2 == 0x3a) {
                    if (p >= limit) {
                        return fail(off, p + 1, end);
                    }
                    map = b2 == 0x38 ? 2 : 3;
                    opcode = m.get(U8, p++) & 0xff;
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
                    length = (int) (p - off);
                    return ERR_INVALID;
                }
                encoding = ENC_VEX;
                int r;
                if (b == 0xc5) {
                    if (p >= limit) {
                        return fail(off, p + 1, end);
                    }
                    int v1 = m.get(U8, p++) & 0xff;
                    r = 0x40 | ((~v1 >> 5) & 4); // R
                    map = 1;
                    impliedPrefix(v1 & 3);
                } else {
                    if (p + 1 >= limit) {
                        return fail(off, p + 2, end);
                    }
                    int v1 = m.get(U8, p++) & 0xff;
                    int v2 = m.get(U8, p++) & 0xff;
                    r = 0x40 | ((~v1 >> 5) & 7) | ((v2 & 0x80) >> 4); // R X B, W
                    map = v1 & 0x1f;
                    impliedPrefix(v2 & 3);
                }
                rex = r;
                if (p >= limit) {
                    return fail(off, p + 1, end);
                }
                opcode = m.get(U8, p++) & 0xff;
                attr = vexAttr(map, opcode);
                if (attr < 0) {
                    length = (int) (p - off);
                    return ERR_INVALID;
                }
            }
            case 0x62 -> {
                if (p + 2 >= limit) {
                    return fail(off, p + 3, end);
                }
                encoding = ENC_EVEX;
                int p0 = m.get(U8, p++) & 0xff;
                int p1 = m.get(U8, p++) & 0xff;
                p++; // P2: z, L'L, b, V', aaa
                if ((p1 & 0x04) == 0) {
                    length = (int) (p - off);
                    return ERR_INVALID; // the fixed 1 bit
                }
                rex = 0x40 | ((~p0 >> 5) & 7) | ((p1 & 0x80) >> 4);
                map = p0 & 7;
                impliedPrefix(p1 & 3);
                if (p >= limit) {
                    return fail(off, p + 1, end);
                }
                opcode = m.get(U8, p++) & 0xff;
                attr = evexAttr(map, opcode);
                if (attr < 0) {
                    length = (int) (p - off);
                    return ERR_INVALID;
                }
            }
            case 0x8f -> {
                // XOP when the would-be ModRM.reg field is non-zero (map select >= 8)
                if (p < limit && ((m.get(U8, p) & 0x1f) >= 8)) {
                    if (p + 1 >= limit) {
                        return fail(off, p + 2, end);
                    }
                    encoding = ENC_XOP;
                    int x1 = m.get(U8, p++) & 0xff;
                    int x2 = m.get(U8, p++) & 0xff;
                    rex = 0x40 | ((~x1 >> 5) & 7) | ((x2 & 0x80) >> 4);
                    map = x1 & 0x1f;
                    impliedPrefix(x2 & 3);
                    if (p >= limit) {
                        return fail(off, p + 1, end);
                    }
                    opcode = m.get(U8, p++) & 0xff;
                    attr = switch (map) {
                        case 8 -> MODRM | (I_B << IMM_SHIFT);
                        case 9 -> MODRM;
                        case 10 -> MODRM | (I_D << IMM_SHIFT);
                        default -> -1;
                    };
                    if (attr < 0) {
                        length = (int) (p - off);
                        return ERR_INVALID;
                    }
                } else {
                    opcode = b;
                    attr = MAP0[b];
                }
            }
            default -> {
                opcode = b;
                attr = MAP0[b];
            }
        }
        if ((attr & INVALID) != 0) {
            length = (int) (p - off);
            return ERR_INVALID;
        }
        if ((attr & MODRM) != 0) {
            if (p >= limit) {
                return fail(off, p + 1, end);
            }
            modrm = m.get(U8, p++) & 0xff;
            int mod = modrm >>> 6;
            int rm = modrm & 7;
            if (mod != 3) {
                if (rm == 4) {
                    if (p >= limit) {
                        return fail(off, p + 1, end);
                    }
                    sib = m.get(U8, p++) & 0xff;
                    if (mod == 0 && (sib & 7) == 5) {
                        dispSize = 4;
                    }
                } else if (mod == 0 && rm == 5) {
                    dispSize = 4;
                    ripRelative = true;
                }
                if (mod == 1) {
                    dispSize = 1;
                } else if (mod == 2) {
                    dispSize = 4;
                }
                if (dispSize != 0) {
                    if (p + dispSize > limit) {
                        return fail(off, p + dispSize, end);
                    }
                    disp = dispSize == 1 ? m.get(U8, p) : m.get(S32, p);
                    p += dispSize;
                }
            }
        }
        int kind = (attr & IMM_MASK) >>> IMM_SHIFT;
        if (kind != I_NONE) {
            int size = immSize(kind);
            if (size != 0) {
                if (p + size > limit) {
                    return fail(off, p + size, end);
                }
                imm = switch (size) {
                    case 1 -> m.get(U8, p);
                    case 2 -> m.get(S16, p);
                    case 3 -> m.get(S16, p); // enter: report the frame size
                    case 4 -> m.get(S32, p);
                    default -> m.get(S64, p);
                };
                immSize = size;
                p += size;
            }
        }
        length = (int) (p - off);
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
            case 1 -> VEX_MAP1[op] | MODRM;
            case 2, 5, 6 -> MODRM;
            case 3 -> MODRM | (I_B << IMM_SHIFT);
            default -> -1;
        };
    }

    /**
     * The instruction needs the bytes before {@code need} but hit a limit: truncated if the
     * section ends first, else longer than {@link #MAX_INSN_LEN}.
     */
    private int fail(long off, long need, long end) {
        length = (int) Math.min(Math.max(1, Math.min(need, end) - off), MAX_INSN_LEN);
        return need > end ? ERR_TRUNCATED : ERR_TOO_LONG;
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
