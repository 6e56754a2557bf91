package io.objtool.x86;

import static io.objtool.api.arch.CfiRegs.BP;
import static io.objtool.api.arch.CfiRegs.SP;

import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.internal.DecodeWriter;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;

/**
 * Builds objtool's stack ops for x86-64 instructions. The set of forms and their ops follows the
 * reference objtool 6.12 as observed on assembled fixtures (ORC dumps and warnings):
 *
 * <ul>
 *   <li>{@code push reg|imm|mem}, {@code push %fs/%gs}: PUSH; {@code pop reg|mem}, {@code pop %fs/%gs}: POP</li>
 *   <li>{@code pushf} / {@code popf}: PUSHF / POPF</li>
 *   <li>{@code add|sub|and $imm,%rsp} (64-bit only): ADD / AND on rsp</li>
 *   <li>{@code add|sub %reg,%rsp}: ADD from reg (objtool flags it as unsupported when it matters)</li>
 *   <li>{@code mov %reg,%reg} (opcode 89, 64-bit): REG to REG; the 8b form is not modelled</li>
 *   <li>{@code mov %reg,off(%rsp|%rbp)} / {@code mov off(%rsp|%rbp),%reg}: REG_INDIRECT store/load</li>
 *   <li>{@code lea off(%base),%reg} (64-bit, no index): ADD base+off</li>
 *   <li>{@code leave}: {@code mov %rbp,%rsp}; {@code pop %rbp}</li>
 *   <li>{@code iret} inside a function: {@code add $40,%rsp}</li>
 * </ul>
 *
 * Anything else that writes %rsp gets no op and {@link DecodedInsn#F_UNMODELLED_SP_WRITE}.
 */
final class X86StackOps {
    private X86StackOps() {
    }

    /** Bytes IRET pops in 64-bit mode: rip, cs, rflags, rsp, ss. */
    private static final int IRET_FRAME = 5 * 8;

    /** {@code push %reg} / {@code pop %reg} (50..5f): small enough to be inlined into the decoder's hot path. */
    static void pushPop(X86Decoder d, DecodedInsn out) {
        int reg = (d.opcode & 7) | ((d.rex & 1) << 3);
        if (d.opcode < 0x58) {
            DecodeWriter.addStackOp(out, OpSrcType.REG, reg, 0, OpDestType.PUSH, 0, 0);
        } else {
            DecodeWriter.addStackOp(out, OpSrcType.POP, 0, 0, OpDestType.REG, reg, 0);
        }
    }

    static void build(X86Decoder d, boolean inFunction, DecodedInsn out) {
        if (d.encoding != X86Decoder.ENC_LEGACY || d.danglingRex) {
            return;
        }
        if (d.map == 1) {
            twoByte(d, out);
            return;
        }
        if (d.map != 0 || (OpcodeTables.MAP0[d.opcode] & OpcodeTables.STACK) == 0) {
            return;
        }
        int op = d.opcode;
        boolean w = d.rexW();
        boolean regForm = d.modrm >= 0 && d.mod() == 3;
        switch (op) {
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f ->
                pushPop(d, out);
            case 0x68, 0x6a -> DecodeWriter.addStackOp(out, OpSrcType.CONST, 0, 0, OpDestType.PUSH, 0, 0);
            case 0x9c -> DecodeWriter.addStackOp(out, OpSrcType.CONST, 0, 0, OpDestType.PUSHF, 0, 0);
            case 0x9d -> DecodeWriter.addStackOp(out, OpSrcType.POPF, 0, 0, OpDestType.MEM, 0, 0);
            // pop Ev: objtool's decoder pops for every ModRM.reg of 8f, not only the defined /0
            case 0x8f -> DecodeWriter.addStackOp(out, OpSrcType.POP, 0, 0, OpDestType.MEM, 0, 0);
            case 0xff -> {
                if (d.digit() == 6) {
                    DecodeWriter.addStackOp(out, OpSrcType.CONST, 0, 0, OpDestType.PUSH, 0, 0);
                } else if (d.digit() <= 1 && regForm && d.modrmRm() == SP) {
                    unmodelled(out); // inc/dec %rsp
                }
            }
            case 0xc9 -> {
                DecodeWriter.addStackOp(out, OpSrcType.REG, BP, 0, OpDestType.REG, SP, 0);
                DecodeWriter.addStackOp(out, OpSrcType.POP, 0, 0, OpDestType.REG, BP, 0);
            }
            case 0xcf -> {
                if (inFunction) {
                    DecodeWriter.addStackOp(out, OpSrcType.ADD, SP, IRET_FRAME, OpDestType.REG, SP, 0);
                }
            }
            case 0xc8 -> unmodelled(out); // enter
            case 0x81, 0x83 -> group1(d, w, regForm, out);
            case 0x01, 0x29 -> {
                if (regForm && d.modrmRm() == SP) {
                    if (w) {
                        DecodeWriter.addStackOp(out, OpSrcType.ADD, d.modrmReg(), 0, OpDestType.REG, SP, 0);
                    } else {
                        unmodelled(out);
                    }
                }
            }
            case 0x89 -> mov89(d, w, regForm, out);
            case 0x8b -> {
                if (!regForm && w) {
                    int base = d.simpleBase();
                    if (base == SP || base == BP) {
                        DecodeWriter.addStackOp(out, OpSrcType.REG_INDIRECT, base, (int) d.disp, OpDestType.REG, d.modrmReg(), 0);
                        return;
                    }
                }
                if (d.modrmReg() == SP) {
                    unmodelled(out);
                }
            }
            case 0x8d -> {
                if (!regForm && w) {
                    int base = d.simpleBase();
                    if (base >= 0) {
                        DecodeWriter.addStackOp(out, OpSrcType.ADD, base, (int) d.disp, OpDestType.REG, d.modrmReg(), 0);
                        return;
                    }
                }
                if (d.modrmReg() == SP) {
                    unmodelled(out);
                }
            }
            case 0x87 -> {
                if (d.modrmReg() == SP || regForm && d.modrmRm() == SP) {
                    unmodelled(out); // xchg with %rsp
                }
            }
            case 0x94 -> {
                if ((d.rex & 1) == 0) {
                    unmodelled(out); // xchg %rax,%rsp
                }
            }
            case 0xbc -> {
                if ((d.rex & 1) == 0) {
                    unmodelled(out); // mov $imm,%rsp
                }
            }
            case 0xc7, 0xc1, 0xd1, 0xd3, 0xf7 -> {
                if (regForm && d.modrmRm() == SP && writesRm(op, d.digit())) {
                    unmodelled(out);
                }
            }
            default -> {
                // ALU ops 03,09,0b,11,13,19,1b,21,23,2b,31,33 with %rsp as destination
                boolean destIsReg = (op & 2) != 0;
                int dest = destIsReg ? d.modrmReg() : (regForm ? d.modrmRm() : -1);
                if (dest == SP) {
                    unmodelled(out);
                }
            }
        }
    }

    private static boolean writesRm(int op, int digit) {
        return switch (op) {
            case 0xc7 -> digit == 0;
            case 0xf7 -> digit >= 2 && digit <= 3; // not, neg
            default -> true; // shifts and rotates: every /digit writes the operand
        };
    }

    /** 81/83: add, sub, and with an immediate on %rsp. */
    private static void group1(X86Decoder d, boolean w, boolean regForm, DecodedInsn out) {
        if (!regForm || d.modrmRm() != SP) {
            return;
        }
        int digit = d.digit();
        if (digit == 7) {
            return; // cmp
        }
        if (!w) {
            unmodelled(out);
            return;
        }
        int imm = (int) d.imm;
        switch (digit) {
            case 0 -> DecodeWriter.addStackOp(out, OpSrcType.ADD, SP, imm, OpDestType.REG, SP, 0);
            case 5 -> DecodeWriter.addStackOp(out, OpSrcType.ADD, SP, -imm, OpDestType.REG, SP, 0);
            case 4 -> DecodeWriter.addStackOp(out, OpSrcType.AND, SP, imm, OpDestType.REG, SP, 0);
            default -> unmodelled(out); // or, adc, sbb, xor
        }
    }

    /** 89: mov %reg,%reg and stores to the stack. */
    private static void mov89(X86Decoder d, boolean w, boolean regForm, DecodedInsn out) {
        if (!w) {
            if (regForm && d.modrmRm() == SP) {
                unmodelled(out);
            }
            return;
        }
        if (regForm) {
            DecodeWriter.addStackOp(out, OpSrcType.REG, d.modrmReg(), 0, OpDestType.REG, d.modrmRm(), 0);
            return;
        }
        int base = d.simpleBase();
        if (base == SP || base == BP) {
            DecodeWriter.addStackOp(out, OpSrcType.REG, d.modrmReg(), 0, OpDestType.REG_INDIRECT, base, (int) d.disp);
        } else if (base >= 0 && d.modrmReg() == SP) {
            // mov %rsp, disp(%reg): the first step of a stack swizzle (the old stack pointer is
            // stored at the top of the new stack)
            DecodeWriter.addStackOp(out, OpSrcType.REG, SP, 0, OpDestType.REG_INDIRECT, base, (int) d.disp);
        }
    }

    /** 0f a0 / 0f a8 push %fs/%gs, 0f a1 / 0f a9 pop %fs/%gs. */
    private static void twoByte(X86Decoder d, DecodedInsn out) {
        switch (d.opcode) {
            case 0xa0, 0xa8 -> DecodeWriter.addStackOp(out, OpSrcType.CONST, 0, 0, OpDestType.PUSH, 0, 0);
            case 0xa1, 0xa9 -> DecodeWriter.addStackOp(out, OpSrcType.POP, 0, 0, OpDestType.MEM, 0, 0);
            default -> { }
        }
    }

    private static void unmodelled(DecodedInsn out) {
        DecodeWriter.addFlags(out, DecodedInsn.F_UNMODELLED_SP_WRITE);
    }
}
