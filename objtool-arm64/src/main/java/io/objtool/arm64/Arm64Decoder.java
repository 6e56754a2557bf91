package io.objtool.arm64;

import static io.objtool.arm64.Arm64Regs.FP;
import static io.objtool.arm64.Arm64Regs.SP;

import io.objtool.api.arch.DecodeStatus;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.internal.DecodeWriter;
import io.objtool.api.arch.InsnDecoder;
import io.objtool.api.arch.InsnType;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The AArch64 decoder: every 4-byte little-endian word decodes, to {@link InsnType#OTHER} at worst.
 *
 * <p>Decoding is table-driven: {@link #FORMS} lists the instruction classes as (mask, value)
 * pairs, most specific first, and the first class whose bits match decides. Only what matters to
 * the walk is decoded in full: control flow, and what reads or writes the stack pointer, the frame
 * pointer (x29) or the link register (x30).
 *
 * <p>What the decoder reports:
 * <ul>
 *   <li>Types: B and B.AL/B.NV are {@link InsnType#JUMP_UNCONDITIONAL}; B.cond, BC.cond, CBZ/CBNZ,
 *       TBZ/TBNZ {@link InsnType#JUMP_CONDITIONAL}; BR, BRAA/BRAB, BRAAZ/BRABZ
 *       {@link InsnType#JUMP_DYNAMIC}; BL {@link InsnType#CALL}; BLR, BLRAA/BLRAB, BLRAAZ/BLRABZ
 *       {@link InsnType#CALL_DYNAMIC}; RET, RETAA/RETAB {@link InsnType#RETURN}; ERET,
 *       ERETAA/ERETAB, DRPS {@link InsnType#CONTEXT_SWITCH}; BRK and UDF {@link InsnType#BUG}; NOP
 *       and the pointer-authentication and BTI hints (PACIASP, AUTIASP, PACIBSP, AUTIBSP, the
 *       *Z forms, BTI) {@link InsnType#NOP}.</li>
 *   <li>The immediate of a direct branch is its displacement minus 4, so that
 *       {@link DecodedInsn#branchTarget(long)} ({@code offset + length + immediate}) is the
 *       target, as on x86.</li>
 *   <li>Stack ops, with registers in the DWARF numbering of {@link Arm64Regs} (sp = 31, fp = 29):
 *       a pre-indexed access with base sp (or fp) is {@code ADD base+imm -> REG base} followed by
 *       the accesses at offset 0; a post-indexed one is the accesses at offset 0 followed by the
 *       ADD; an offset form is the accesses alone. A store of an X register is
 *       {@code REG xN -> REG_INDIRECT base+off}, a load {@code REG_INDIRECT base+off -> REG xN};
 *       pairs give one op per register, the second 8 bytes further. SIMD&amp;FP, 32-bit and MTE
 *       tag accesses with base sp give only their write-back. {@code add|sub Xd, Xn, #imm} with sp
 *       or fp as destination or sp as source is {@code ADD Xn+imm -> REG Xd}, {@code mov} to or
 *       from sp (add #0) is {@code REG -> REG}; {@code mov x29, Xm} (orr) is {@code REG -> REG};
 *       {@code and sp, Xn, #mask} is {@code AND}. Decoded with the words before it (the
 *       segment and array entry points, not {@link #decodeWord}), {@code add|sub sp|x29, sp|x29,
 *       Xm} is {@code ADD} of the constant the code just before put in Xm (a frame over 4 KiB,
 *       see {@code addSubByConstant}).</li>
 *   <li>Unreliable writes: any other write to sp or fp that the decoder cannot evaluate (a
 *       32-bit write to wsp/w29, sp plus a register, a load of x29 from memory not addressed by sp
 *       or fp, x29 from any other data-processing result, SIMD structure write-back of sp, x29 as
 *       a register a memory copy or set (FEAT_MOPS) advances, ...) is
 *       {@code CONST -> REG sp|fp}: the new value has no relation to the cfa, which the engine
 *       treats as it does on x86 (a cfa based on that register becomes unknown, and the frame
 *       pointer is no longer a frame record). A write of sp also sets
 *       {@link DecodedInsn#F_UNMODELLED_SP_WRITE}.</li>
 * </ul>
 * The {@code opcode} of the result is the index of the matched class in {@link #FORMS}.
 */
final class Arm64Decoder implements InsnDecoder {
    private static final ValueLayout.OfInt WORD =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // instruction classes
    static final int K_OTHER = 0;
    static final int K_B = 1;
    static final int K_BL = 2;
    static final int K_BCOND = 3;
    static final int K_BCCOND = 4;
    static final int K_CB = 5;
    static final int K_TB = 6;
    static final int K_BR = 7;
    static final int K_BLR = 8;
    static final int K_RET = 9;
    static final int K_ERET = 10;
    static final int K_BRK = 11;
    static final int K_UDF = 12;
    static final int K_HINT = 13;
    static final int K_ADDSUB_IMM = 14;
    static final int K_ADDG = 15;
    static final int K_LOGIC_IMM = 16;
    static final int K_MOV_REG = 17;
    static final int K_ADDSUB_EXT = 18;
    static final int K_IRG = 19;
    static final int K_PAIR = 20;
    static final int K_LDST_IMM9 = 21;
    static final int K_LDST_UIMM = 22;
    static final int K_LDST_REGOFF = 23;
    static final int K_LDR_LIT = 24;
    static final int K_MTE_TAG = 25;
    static final int K_LDRA = 26;
    static final int K_SIMD_POST = 27;
    static final int K_ATOMIC = 28;
    static final int K_EXCL = 29;
    static final int K_RCPC = 30;
    static final int K_MRS = 31;
    static final int K_FP_TO_INT = 32;
    static final int K_SIMD_TO_INT = 33;
    static final int K_DP_IMM = 34;
    static final int K_DP_REG = 35;
    static final int K_MOPS = 36;

    /** The classes, most specific first: {mask, value, kind}. */
    static final int[][] FORMS = {
        // control flow
        {0xfc000000, 0x14000000, K_B},
        {0xfc000000, 0x94000000, K_BL},
        {0xff000010, 0x54000000, K_BCOND},
        {0xff000010, 0x54000010, K_BCCOND},
        {0x7e000000, 0x34000000, K_CB},
        {0x7e000000, 0x36000000, K_TB},
        {0xfffffc1f, 0xd61f0000, K_BR},
        {0xfffff81f, 0xd61f081f, K_BR},     // braaz, brabz
        {0xfffff800, 0xd71f0800, K_BR},     // braa, brab
        {0xfffffc1f, 0xd63f0000, K_BLR},
        {0xfffff81f, 0xd63f081f, K_BLR},    // blraaz, blrabz
        {0xfffff800, 0xd73f0800, K_BLR},    // blraa, blrab
        {0xfffffc1f, 0xd65f0000, K_RET},
        {0xfffffbff, 0xd65f0bff, K_RET},    // retaa, retab
        {0xffffffff, 0xd69f03e0, K_ERET},
        {0xfffffbff, 0xd69f0bff, K_ERET},   // eretaa, eretab
        {0xffffffff, 0xd6bf03e0, K_ERET},   // drps
        {0xffe0001f, 0xd4200000, K_BRK},
        {0xffff0000, 0x00000000, K_UDF},
        {0xfffff01f, 0xd503201f, K_HINT},
        // data processing that may write sp or fp
        {0x1f800000, 0x11000000, K_ADDSUB_IMM},
        {0xbfc0c000, 0x91800000, K_ADDG},     // addg, subg
        {0x1fc00000, 0x11800000, K_OTHER},    // the rest of add/sub immediate with tags: unallocated
        {0x1f800000, 0x12000000, K_LOGIC_IMM},
        {0x7fe0ffe0, 0x2a0003e0, K_MOV_REG},  // mov Rd, Rm (orr Rd, zr, Rm)
        {0x1fe00000, 0x0b200000, K_ADDSUB_EXT},
        {0xffe0fc00, 0x9ac01000, K_IRG},
        {0xffa0f800, 0x04205000, K_IRG},      // sve addvl, addpl: sp or fp plus a multiple of the vector length
        // loads and stores
        {0x3a000000, 0x28000000, K_PAIR},
        {0xff200000, 0xd9200000, K_MTE_TAG},
        {0xff200400, 0xf8200400, K_LDRA},
        {0x3b200c00, 0x38200000, K_ATOMIC},
        {0x3b200c00, 0x38200800, K_LDST_REGOFF},
        {0x3b200000, 0x38000000, K_LDST_IMM9},
        {0x3b000000, 0x39000000, K_LDST_UIMM},
        {0x3b000000, 0x18000000, K_LDR_LIT},
        {0xbfa00000, 0x0c800000, K_SIMD_POST},  // ld1..ld4/st1..st4 (multiple structures), post-index
        {0xbf800000, 0x0d800000, K_SIMD_POST},  // single structure, post-index
        {0x3f000000, 0x08000000, K_EXCL},
        {0x3f200c00, 0x19000000, K_RCPC},
        {0xfb200c00, 0x19000400, K_MOPS},      // cpyf*, cpy*, set*, setg* (FEAT_MOPS)
        // other writes of a general register
        {0xfff00000, 0xd5300000, K_MRS},
        {0x5f20fc00, 0x1e200000, K_FP_TO_INT},
        {0xbfe08400, 0x0e000400, K_SIMD_TO_INT},
        {0x1c000000, 0x10000000, K_DP_IMM},
        {0x0e000000, 0x0a000000, K_DP_REG},
    };

    private static final int[] MASKS = new int[FORMS.length];
    private static final int[] VALUES = new int[FORMS.length];
    private static final byte[] KINDS = new byte[FORMS.length];

    static {
        for (int i = 0; i < FORMS.length; i++) {
            MASKS[i] = FORMS[i][0];
            VALUES[i] = FORMS[i][1];
            KINDS[i] = (byte) FORMS[i][2];
        }
    }

    private static final int OTHER = InsnType.OTHER.ordinal();
    private static final int NOP = InsnType.NOP.ordinal();
    private static final int JCC = InsnType.JUMP_CONDITIONAL.ordinal();
    private static final int JMP = InsnType.JUMP_UNCONDITIONAL.ordinal();
    private static final int JMP_DYN = InsnType.JUMP_DYNAMIC.ordinal();
    private static final int CALL = InsnType.CALL.ordinal();
    private static final int CALL_DYN = InsnType.CALL_DYNAMIC.ordinal();
    private static final int RETURN = InsnType.RETURN.ordinal();
    private static final int CTX = InsnType.CONTEXT_SWITCH.ordinal();
    private static final int BUG = InsnType.BUG.ordinal();

    /** Index into {@link #FORMS} of the class that matches {@code w}, or -1. */
    static int form(int w) {
        for (int i = 0; i < MASKS.length; i++) {
            if ((w & MASKS[i]) == VALUES[i]) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean decode(MemorySegment code, long offset, long end, boolean inFunction, DecodedInsn out) {
        DecodeWriter.reset(out);
        if (end - offset < 4) {
            DecodeWriter.setResult(out, DecodeStatus.TRUNCATED, (int) Math.max(1, end - offset));
            return false;
        }
        int w = code.get(WORD, offset);
        decodeWord(w, out);
        if (kindOf(w) == K_ADDSUB_EXT || (w & 0x1f200000) == 0x0b000000) {
            long before = offset;
            addSubByConstant(w, k -> before - 4L * k >= 0 ? code.get(WORD, before - 4L * k) : 0, out);
        }
        return true;
    }

    @Override
    public boolean decode(byte[] code, int offset, DecodedInsn out) {
        DecodeWriter.reset(out);
        if (code.length - offset < 4) {
            DecodeWriter.setResult(out, DecodeStatus.TRUNCATED, Math.max(1, code.length - offset));
            return false;
        }
        int w = (code[offset] & 0xff) | (code[offset + 1] & 0xff) << 8
                | (code[offset + 2] & 0xff) << 16 | (code[offset + 3] & 0xff) << 24;
        decodeWord(w, out);
        if (kindOf(w) == K_ADDSUB_EXT || (w & 0x1f200000) == 0x0b000000) {
            addSubByConstant(w, k -> {
                int at = offset - 4 * k;
                return at < 0 ? 0 : (code[at] & 0xff) | (code[at + 1] & 0xff) << 8
                        | (code[at + 2] & 0xff) << 16 | (code[at + 3] & 0xff) << 24;
            }, out);
        }
        return true;
    }

    private static int kindOf(int w) {
        int f = form(w);
        return f < 0 ? K_OTHER : KINDS[f];
    }

    @Override
    public int lengthAndType(MemorySegment code, long offset, long end, boolean inFunction) {
        if (end - offset < 4) {
            return (int) -Math.max(1, end - offset);
        }
        int w = code.get(WORD, offset);
        int f = form(w);
        return 4 | (f < 0 ? OTHER : typeOf(KINDS[f], w)) << 8;
    }

    /** Decodes one instruction word. */
    void decodeWord(int w, DecodedInsn out) {
        int kind = decodeWordWithoutOps(w, out);
        stackOps(kind, w, out);
    }

    /** Decodes one instruction word's class, type and branch target; returns the class. */
    private static int decodeWordWithoutOps(int w, DecodedInsn out) {
        int f = form(w);
        int kind = f < 0 ? K_OTHER : KINDS[f];
        int type = typeOf(kind, w);
        long disp = switch (kind) {
            case K_B, K_BL -> (long) (w << 6 >> 6) * 4;
            case K_BCOND, K_BCCOND, K_CB -> (long) (w << 8 >> 13) * 4;
            case K_TB -> (long) (w << 13 >> 18) * 4;
            default -> Long.MIN_VALUE;
        };
        boolean direct = disp != Long.MIN_VALUE;
        DecodeWriter.set(out, 4, type, direct, direct ? disp - 4 : 0, 0, 0, Math.max(f, 0), -1, 0, 0, 0, direct ? 4 : 0);
        return kind;
    }

    private static int typeOf(int kind, int w) {
        return switch (kind) {
            case K_B -> JMP;
            case K_BL -> CALL;
            case K_BCOND -> (w & 0xe) == 0xe ? JMP : JCC; // b.al, b.nv: always
            case K_BCCOND, K_CB, K_TB -> JCC;
            case K_BR -> JMP_DYN;
            case K_BLR -> CALL_DYN;
            case K_RET -> RETURN;
            case K_ERET -> CTX;
            case K_BRK, K_UDF -> BUG;
            case K_HINT -> isNopHint((w >>> 5) & 0x7f) ? NOP : OTHER;
            default -> OTHER;
        };
    }

    /** NOP, the pointer-authentication hints on x30 and BTI: no effect on the walk. */
    private static boolean isNopHint(int crmOp2) {
        return crmOp2 == 0                                   // nop
                || (crmOp2 >= 0x18 && crmOp2 <= 0x1f)        // paciaz, paciasp, pacibz, pacibsp, autiaz, autiasp, autibz, autibsp
                || (crmOp2 & 0x79) == 0x20;                  // bti, bti c, bti j, bti jc
    }

    // ---- stack ops ----

    private static int rd(int w) {
        return w & 31;
    }

    private static int rn(int w) {
        return (w >>> 5) & 31;
    }

    private static int sext(int v, int bits) {
        return v << (32 - bits) >> (32 - bits);
    }

    private static void stackOps(int kind, int w, DecodedInsn out) {
        switch (kind) {
            case K_ADDSUB_IMM -> addSubImm(w, out);
            case K_ADDG -> {
                int rd = rd(w);
                if (rd == 31 || rd == FP) {
                    int off = ((w >>> 16) & 0x3f) * 16 * ((w & 0x40000000) != 0 ? -1 : 1);
                    DecodeWriter.addStackOp(out, OpSrcType.ADD, rn(w), off, OpDestType.REG, rd, 0);
                }
            }
            case K_LOGIC_IMM -> logicImm(w, out);
            case K_MOV_REG -> {
                int rm = (w >>> 16) & 31;
                if (rd(w) == FP) {
                    if ((w & 0x80000000) != 0 && rm != 31) {
                        DecodeWriter.addStackOp(out, OpSrcType.REG, rm, 0, OpDestType.REG, FP, 0);
                    } else {
                        unknown(FP, out);
                    }
                }
            }
            case K_ADDSUB_EXT -> addSubExt(w, out);
            case K_IRG -> {
                // irg, addvl, addpl write Xd|SP: a value the decoder cannot know
                if (rd(w) == 31) {
                    unknown(SP, out);
                } else if (rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_PAIR -> pair(w, out);
            case K_LDST_IMM9 -> ldstImm9(w, out);
            case K_LDST_UIMM -> ldstUimm(w, out);
            case K_LDST_REGOFF -> {
                // no write-back, and a register offset cannot be tracked: only a load of x29 matters
                int size = w >>> 30;
                int opc = (w >>> 22) & 3;
                boolean simd = (w & 0x04000000) != 0;
                if (!simd && opc != 0 && !(size == 3 && opc >= 2) && rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_LDR_LIT -> {
                if ((w & 0x04000000) == 0 && (w >>> 30) != 3 && rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_MTE_TAG -> mteTag(w, out);
            case K_LDRA -> {
                int off = sext(((w >>> 22) & 1) << 9 | (w >>> 12) & 0x1ff, 10) * 8;
                boolean pre = (w & 0x800) != 0;
                access(rn(w), pre ? 3 : 2, off, true, rd(w), -1, 8, true, out);
            }
            case K_SIMD_POST -> {
                if (rn(w) == 31) {
                    unknown(SP, out);
                } else if (rn(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_ATOMIC -> {
                // ldadd.., swp (o3 opc 0xxx, 1000) and ldapr (1100): Rt receives the old value
                int o3opc = (w >>> 12) & 15;
                if ((w & 0x04000000) == 0 && rd(w) == FP && (o3opc < 8 || o3opc == 8 || o3opc == 12)) {
                    unknown(FP, out);
                }
            }
            case K_EXCL -> exclusive(w, out);
            case K_MOPS -> {
                // the registers advance as the copy or set runs: Xd, Xn, and a copy's source Xs
                // (31 in Xd or Xn is unallocated; a set's Xs is its value, read only)
                boolean copy = ((w >>> 22) & 3) != 3;
                if (rd(w) == FP || rn(w) == FP || copy && ((w >>> 16) & 31) == FP) {
                    unknown(FP, out);
                }
            }
            case K_RCPC -> {
                if (((w >>> 22) & 3) != 0 && rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_MRS -> {
                if (rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_FP_TO_INT -> {
                int opcode = (w >>> 16) & 7;
                if ((opcode <= 1 || opcode == 4 || opcode == 5 || opcode == 6) && rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_SIMD_TO_INT -> {
                int imm4 = (w >>> 11) & 15;
                if ((imm4 == 5 || imm4 == 7) && rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_DP_IMM -> {
                if (rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            case K_DP_REG -> {
                boolean noDest = (w & 0x1fe00000) == 0x1a400000                       // ccmp, ccmn
                        || ((w & 0x1fe00000) == 0x1a000000 && (w & 0xfc00) != 0);     // rmif, setf
                if (!noDest && rd(w) == FP) {
                    unknown(FP, out);
                }
            }
            default -> { }
        }
    }

    /** A write of {@code reg} (sp or fp) with a value unrelated to the cfa. */
    private static void unknown(int reg, DecodedInsn out) {
        DecodeWriter.addStackOp(out, OpSrcType.CONST, 0, 0, OpDestType.REG, reg, 0);
        if (reg == SP) {
            DecodeWriter.addFlags(out, DecodedInsn.F_UNMODELLED_SP_WRITE);
        }
    }

    private static void addSubImm(int w, DecodedInsn out) {
        boolean sf = w < 0;
        boolean setsFlags = (w & 0x20000000) != 0;
        int imm = ((w >>> 10) & 0xfff) << ((w & 0x00400000) != 0 ? 12 : 0);
        int off = (w & 0x40000000) != 0 ? -imm : imm;
        int rd = rd(w);
        if (rd == 31 && setsFlags) {
            return; // cmp, cmn: xzr
        }
        int rn = rn(w); // 31: sp
        if (rd != SP && rd != FP) {
            if (rn == SP && sf) {
                // a copy of sp (plus an offset) in a register, as x86's lea off(%rsp),%reg
                DecodeWriter.addStackOp(out, off == 0 ? OpSrcType.REG : OpSrcType.ADD, SP, off, OpDestType.REG, rd, 0);
            }
            return;
        }
        if (!sf) {
            unknown(rd, out);
        } else if (off == 0 && !setsFlags) {
            DecodeWriter.addStackOp(out, OpSrcType.REG, rn, 0, OpDestType.REG, rd, 0);
        } else {
            DecodeWriter.addStackOp(out, OpSrcType.ADD, rn, off, OpDestType.REG, rd, 0);
        }
    }

    private static void addSubExt(int w, DecodedInsn out) {
        boolean setsFlags = (w & 0x20000000) != 0;
        int rd = rd(w);
        if (rd == 31 && setsFlags) {
            return;
        }
        if (rd != SP && rd != FP || ((w >>> 10) & 7) > 4) {
            return; // not sp or fp; or a shift above 4, unallocated
        }
        // sp or fp plus or minus a register (alloca): not trackable
        unknown(rd, out);
    }

    /** How many instructions back a constant's materialisation may start. */
    static final int CONSTANT_WINDOW = 8;

    /**
     * {@code add|sub sp|x29, sp|x29, Xm{, extend #s}} (and {@code add|sub x29, x29, Xm{, shift}})
     * after the instructions that put a constant in Xm: a {@code movz}, {@code movn} or
     * {@code orr} from xzr, then {@code movk}s of the same register, at most
     * {@link #CONSTANT_WINDOW} instructions back, with only straight-line instructions that do not
     * name Xm in between. That is how gcc allocates and frees a frame too big for an immediate
     * ({@code mov x12, #0x2020; sub sp, sp, x12}, the epilogue's {@code mov} scheduled a few
     * instructions earlier). The move is then {@code ADD base+off -> REG rd}, which
     * {@link #decodeWord} alone (without the words before) can only call unknown. The constant is
     * trusted to reach the add as it was materialised: compilers emit the pair as one prologue or
     * epilogue step, never with a branch into its middle.
     *
     * @param before the word {@code k} instructions before this one (0 where there is none: an
     *               {@code udf}, which ends the search)
     */
    private static void addSubByConstant(int w, java.util.function.IntUnaryOperator before, DecodedInsn out) {
        int rd = rd(w);
        int rn = rn(w);
        boolean setsFlags = (w & 0x20000000) != 0;
        boolean extended = (w & 0x00200000) != 0;
        int option = (w >>> 13) & 7;
        int shift = extended ? (w >>> 10) & 7 : (w >>> 10) & 0x3f;
        int shiftType = (w >>> 22) & 3;
        if (w >= 0 || rd == 31 && setsFlags || rd != SP && rd != FP || (extended ? shift > 4 || rn != SP && rn != FP
                : rd != FP || rn != FP || shiftType == 3)) {
            return; // 32-bit, cmp/cmn, not sp or fp, unallocated, or a base the walk does not track
        }
        int rm = (w >>> 16) & 31;
        if (rm == 31) {
            return; // xzr, or sp where it cannot be an operand
        }
        long value = constantIn(rm, before);
        if (value == Long.MIN_VALUE) {
            return;
        }
        long v;
        if (extended) {
            int bits = 8 << (option & 3);
            long ext = bits == 64 ? value : (option < 4 ? value & ((1L << bits) - 1) : value << (64 - bits) >> (64 - bits));
            v = ext << shift;
            if ((v >> shift) != ext) {
                return;
            }
        } else {
            v = switch (shiftType) {
                case 0 -> value << shift;
                case 1 -> value >>> shift;
                default -> value >> shift;
            };
            if (shiftType == 0 && (v >> shift) != value) {
                return;
            }
        }
        long off = (w & 0x40000000) != 0 ? -v : v;
        if (off != (int) off) {
            return; // beyond what a stack op holds: stays unknown
        }
        DecodeWriter.reset(out);
        decodeWordWithoutOps(w, out);
        boolean move = off == 0 && !setsFlags;
        DecodeWriter.addStackOp(out, move ? OpSrcType.REG : OpSrcType.ADD, rn, move ? 0 : (int) off, OpDestType.REG, rd, 0);
    }

    /**
     * The 64-bit constant the instructions before put in {@code reg} (see
     * {@link #addSubByConstant}); {@link Long#MIN_VALUE} if they do not.
     */
    static long constantIn(int reg, java.util.function.IntUnaryOperator before) {
        int[] movk = new int[4];
        int nk = 0;
        for (int k = 1; k <= CONSTANT_WINDOW; k++) {
            int p = before.applyAsInt(k);
            long value;
            if ((p & 0xff800000) == 0xf2800000 && (p & 31) == reg) { // movk
                if (nk == movk.length - 1) {
                    return Long.MIN_VALUE;
                }
                movk[nk++] = p;
                continue;
            } else if ((p & 0xff800000) == 0xd2800000 && (p & 31) == reg) { // movz
                value = (long) ((p >>> 5) & 0xffff) << (((p >>> 21) & 3) * 16);
            } else if ((p & 0xff800000) == 0x92800000 && (p & 31) == reg) { // movn
                value = ~((long) ((p >>> 5) & 0xffff) << (((p >>> 21) & 3) * 16));
            } else if ((p & 0xff8003e0) == 0xb20003e0 && (p & 31) == reg) { // mov Xd, #bitmask (orr from xzr)
                value = bitMask((p >>> 22) & 1, (p >>> 16) & 0x3f, (p >>> 10) & 0x3f, true);
                if (value == 0) {
                    return Long.MIN_VALUE;
                }
            } else if (namesRegister(p, reg)) {
                return Long.MIN_VALUE;
            } else {
                continue; // a straight-line instruction that leaves reg alone
            }
            for (int i = nk - 1; i >= 0; i--) {
                int sh = ((movk[i] >>> 21) & 3) * 16;
                value = value & ~(0xffffL << sh) | (long) ((movk[i] >>> 5) & 0xffff) << sh;
            }
            return value;
        }
        return Long.MIN_VALUE;
    }

    /**
     * Whether {@code p} may change {@code reg} or the path: true for anything but the
     * straight-line data-processing, load and store classes, and for those when a register field
     * (Rd/Rt, Rn, and Rm or Rt2 where the class has one) is {@code reg}.
     */
    private static boolean namesRegister(int p, int reg) {
        int kind = kindOf(p);
        boolean fields = rd(p) == reg || rn(p) == reg;
        return switch (kind) {
            case K_HINT -> !isNopHint((p >>> 5) & 0x7f);
            case K_ADDSUB_IMM, K_LOGIC_IMM, K_ADDG, K_LDST_IMM9, K_LDST_UIMM -> fields;
            case K_DP_IMM -> fields || (p & 0x1f800000) == 0x13800000 && ((p >>> 16) & 31) == reg; // extr: Rm
            case K_MOV_REG, K_ADDSUB_EXT, K_LDST_REGOFF -> fields || ((p >>> 16) & 31) == reg;
            case K_DP_REG -> fields || ((p >>> 16) & 31) == reg
                    || (p & 0x1f000000) == 0x1b000000 && ((p >>> 10) & 31) == reg; // madd and co: Ra
            case K_PAIR -> fields || ((p >>> 10) & 31) == reg;
            default -> true;
        };
    }

    private static void logicImm(int w, DecodedInsn out) {
        boolean sf = w < 0;
        int opc = (w >>> 29) & 3;
        int rd = rd(w);
        int dest = rd == 31 ? (opc == 3 ? -1 : SP) : rd;
        if (dest != SP && dest != FP) {
            return;
        }
        int n = (w >>> 22) & 1;
        long mask = bitMask(n, (w >>> 16) & 0x3f, (w >>> 10) & 0x3f, sf);
        if (mask == 0) {
            return; // unallocated encoding
        }
        int rn = rn(w);
        if (opc == 0 && sf && dest == SP && rn != 31 && mask == (int) mask) {
            DecodeWriter.addStackOp(out, OpSrcType.AND, rn, (int) mask, OpDestType.REG, SP, 0);
        } else {
            unknown(dest, out);
        }
    }

    /** The logical-immediate value of (N, immr, imms), or 0 for a reserved encoding. */
    static long bitMask(int n, int immr, int imms, boolean sf) {
        if (!sf && n != 0) {
            return 0;
        }
        int combined = (n << 6) | (~imms & 0x3f);
        if (combined == 0) {
            return 0;
        }
        int len = 31 - Integer.numberOfLeadingZeros(combined);
        if (len < 1) {
            return 0;
        }
        int esize = 1 << len;
        int levels = esize - 1;
        int s = imms & levels;
        int r = immr & levels;
        if (s == levels) {
            return 0; // all ones: reserved
        }
        long elem = (1L << (s + 1)) - 1;
        if (r != 0) {
            elem = ((elem >>> r) | (elem << (esize - r))) & (esize == 64 ? -1L : (1L << esize) - 1);
        }
        long v = elem;
        for (int e = esize; e < 64; e *= 2) {
            v |= v << e;
        }
        return sf ? v : v & 0xffffffffL;
    }

    private static void pair(int w, DecodedInsn out) {
        int opc = w >>> 30;
        boolean simd = (w & 0x04000000) != 0;
        int idx = (w >>> 23) & 3;
        boolean load = (w & 0x00400000) != 0;
        int imm7 = sext((w >>> 15) & 0x7f, 7);
        int rt2 = (w >>> 10) & 31;
        int scale;
        boolean x64;
        if (simd) {
            if (opc == 3) {
                return;
            }
            scale = 4 << opc;
            x64 = false;
        } else {
            switch (opc) {
                case 0 -> { scale = 4; x64 = false; }
                case 1 -> {
                    if (idx == 0) {
                        return;
                    }
                    scale = load ? 4 : 16; // ldpsw; stgp
                    x64 = !load;
                }
                case 2 -> { scale = 8; x64 = true; }
                default -> { return; }
            }
        }
        int regs = simd ? -1 : (x64 ? 8 : 0);
        access(rn(w), idx == 0 ? 2 : idx, imm7 * scale, load, simd ? -1 : rd(w), simd ? -1 : rt2,
                regs == 8 ? 8 : 0, x64, out);
    }

    private static void ldstImm9(int w, DecodedInsn out) {
        int size = w >>> 30;
        boolean simd = (w & 0x04000000) != 0;
        int opc = (w >>> 22) & 3;
        int idx = (w >>> 10) & 3;
        int off = sext((w >>> 12) & 0x1ff, 9);
        if (!simd && size == 3 && opc >= 2) {
            return; // prfum, or unallocated
        }
        if (simd && opc >= 2 && size != 0) {
            return; // unallocated
        }
        boolean load = simd ? (opc & 1) != 0 : opc != 0;
        boolean x64 = !simd && size == 3;
        // idx 0 (stur/ldur) and 2 (sttr/ldtr) are offset forms, 1 post-index, 3 pre-index
        access(rn(w), idx == 0 ? 2 : idx, off, load, simd ? -1 : rd(w), -1, 0, x64, out);
    }

    private static void ldstUimm(int w, DecodedInsn out) {
        int size = w >>> 30;
        boolean simd = (w & 0x04000000) != 0;
        int opc = (w >>> 22) & 3;
        if (!simd && size == 3 && opc >= 2) {
            return; // prfm, or unallocated
        }
        if (simd && opc >= 2 && size != 0) {
            return;
        }
        int scale = simd && opc >= 2 ? 4 : size;
        int off = ((w >>> 10) & 0xfff) << scale;
        boolean load = simd ? (opc & 1) != 0 : opc != 0;
        access(rn(w), 2, off, load, simd ? -1 : rd(w), -1, 0, !simd && size == 3, out);
    }

    private static void mteTag(int w, DecodedInsn out) {
        int opc = (w >>> 22) & 3;
        int op2 = (w >>> 10) & 3;
        int rn = rn(w);
        if (op2 == 0) {
            // stzgm, ldg, stgm, ldgm: no write-back; ldg and ldgm write Rt; only ldg has an offset
            if ((opc & 1) != 0 && rd(w) == FP && (opc == 1 || (w & 0x001ff000) == 0)) {
                unknown(FP, out);
            }
            return;
        }
        if (op2 != 2 && (rn == SP || rn == FP)) {
            int off = sext((w >>> 12) & 0x1ff, 9) * 16;
            DecodeWriter.addStackOp(out, OpSrcType.ADD, rn, off, OpDestType.REG, rn, 0);
        }
    }

    private static void exclusive(int w, DecodedInsn out) {
        boolean load = (w & 0x00400000) != 0;
        boolean pair = (w & 0x00200000) != 0;
        boolean cas = (w & 0x00800000) != 0 && pair || (w & 0xbfa07c00) == 0x08207c00; // cas*, casp*
        int rs = (w >>> 16) & 31;
        if (cas) {
            if (rs == FP || (rs == FP - 1 && (w & 0x00800000) == 0)) {
                unknown(FP, out); // the compare register(s) receive the old value
            }
            return;
        }
        if (load && (rd(w) == FP || (pair && ((w >>> 10) & 31) == FP))) {
            unknown(FP, out);
        } else if (!load && (w & 0x00800000) == 0 && rs == FP) {
            unknown(FP, out); // stxr, stlxr, stxp, stlxp: Ws receives the status
        }
    }

    /**
     * The stack ops of a load or store.
     *
     * @param rn    base register (31: sp)
     * @param idx   1 post-index, 2 offset, 3 pre-index
     * @param off   byte offset (write-back amount for pre/post)
     * @param load  load or store
     * @param rt    first transfer register, or -1 (SIMD&amp;FP)
     * @param rt2   second transfer register of a pair, or -1
     * @param step  distance of the second register's slot (8 for X pairs)
     * @param x64   transfers are whole X registers (tracked as saves/restores)
     */
    private static void access(int rn, int idx, int off, boolean load, int rt, int rt2, int step,
                               boolean x64, DecodedInsn out) {
        boolean tracked = rn == SP || rn == FP;
        if (idx == 3 && tracked) {
            DecodeWriter.addStackOp(out, OpSrcType.ADD, rn, off, OpDestType.REG, rn, 0);
        }
        int at = idx == 2 ? off : 0;
        transfer(rn, tracked, at, load, rt, x64, out);
        if (rt2 >= 0) {
            transfer(rn, tracked, at + step, load, rt2, x64, out);
        }
        if (idx == 1 && tracked) {
            DecodeWriter.addStackOp(out, OpSrcType.ADD, rn, off, OpDestType.REG, rn, 0);
        }
    }

    private static void transfer(int rn, boolean tracked, int at, boolean load, int rt, boolean x64, DecodedInsn out) {
        if (rt < 0 || rt == 31) {
            return; // SIMD&FP register, or xzr
        }
        if (x64 && tracked) {
            if (load) {
                DecodeWriter.addStackOp(out, OpSrcType.REG_INDIRECT, rn, at, OpDestType.REG, rt, 0);
            } else {
                DecodeWriter.addStackOp(out, OpSrcType.REG, rt, 0, OpDestType.REG_INDIRECT, rn, at);
            }
        } else if (load && rt == FP) {
            unknown(FP, out);
        }
    }
}
