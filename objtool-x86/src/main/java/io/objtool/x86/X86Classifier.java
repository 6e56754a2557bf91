package io.objtool.x86;

import io.objtool.api.arch.InsnType;

/**
 * objtool's instruction types for x86-64, as the reference objtool 6.12 assigns them (learned by
 * running it on assembled fixtures; see the tests). Table-driven for the one- and two-byte maps;
 * a few opcodes need the ModRM byte or prefixes.
 */
final class X86Classifier {
    private X86Classifier() {
    }

    private static final int T_OTHER = InsnType.OTHER.ordinal();
    /** Needs a closer look: see {@link #special}. */
    static final int T_SPECIAL = 0x7f;

    /** Type per one-byte opcode (ordinal, or {@link #T_SPECIAL}). */
    private static final byte[] TYPE0 = new byte[256];
    /** Type per two-byte (0f) opcode. */
    private static final byte[] TYPE1 = new byte[256];

    private static void set(byte[] t, int from, int to, InsnType type) {
        for (int i = from; i <= to; i++) {
            t[i] = (byte) type.ordinal();
        }
    }

    static {
        set(TYPE0, 0x70, 0x7f, InsnType.JUMP_CONDITIONAL);
        set(TYPE0, 0xe0, 0xe3, InsnType.JUMP_CONDITIONAL); // loopne, loope, loop, jrcxz
        set(TYPE0, 0xe8, 0xe8, InsnType.CALL);
        set(TYPE0, 0xe9, 0xe9, InsnType.JUMP_UNCONDITIONAL);
        set(TYPE0, 0xeb, 0xeb, InsnType.JUMP_UNCONDITIONAL);
        set(TYPE0, 0xc2, 0xc3, InsnType.RETURN);
        set(TYPE0, 0xca, 0xcb, InsnType.CONTEXT_SWITCH); // far return
        set(TYPE0, 0xcc, 0xcc, InsnType.TRAP);
        set(TYPE0, 0x90, 0x90, InsnType.NOP); // nop, pause, xchg %eax,%r8d: objtool calls all of them NOP
        set(TYPE0, 0xfc, 0xfc, InsnType.CLD);
        set(TYPE0, 0xfd, 0xfd, InsnType.STD);
        TYPE0[0xcf] = T_SPECIAL; // iret
        TYPE0[0xff] = T_SPECIAL; // group 5: indirect call/jmp

        set(TYPE1, 0x05, 0x05, InsnType.SYSCALL);
        set(TYPE1, 0x07, 0x07, InsnType.SYSRET);
        set(TYPE1, 0x34, 0x35, InsnType.CONTEXT_SWITCH); // sysenter, sysexit
        set(TYPE1, 0x0b, 0x0b, InsnType.BUG); // ud2
        set(TYPE1, 0xb9, 0xb9, InsnType.BUG); // ud1
        set(TYPE1, 0x0d, 0x0d, InsnType.NOP); // objtool treats the 0f 0d prefetch/nop group as NOP
        set(TYPE1, 0x1f, 0x1f, InsnType.NOP);
        set(TYPE1, 0x80, 0x8f, InsnType.JUMP_CONDITIONAL);
        TYPE1[0x01] = T_SPECIAL; // clac, stac, eretu, erets
        TYPE1[0x1e] = T_SPECIAL; // endbr64, endbr32
    }

    /** The type table entry of a legacy map 0 or 1 opcode: an ordinal or {@link #T_SPECIAL}. */
    static int rawType(int map, int opcode) {
        return (map == 0 ? TYPE0 : TYPE1)[opcode];
    }

    /** The {@link InsnType} ordinal of the instruction in the decoder's scratch state. */
    static int classify(X86Decoder d, boolean inFunction) {
        int t;
        if (d.encoding != X86Decoder.ENC_LEGACY || d.danglingRex) {
            t = T_OTHER;
        } else if (d.map == 0) {
            t = TYPE0[d.opcode];
        } else if (d.map == 1) {
            t = TYPE1[d.opcode];
        } else {
            t = T_OTHER;
        }
        return t == T_SPECIAL ? special(d, inFunction).ordinal() : t;
    }

    private static InsnType special(X86Decoder d, boolean inFunction) {
        if (d.map == 0) {
            if (d.opcode == 0xcf) {
                // IRET inside a function is sync_core()'s IRET-to-self, modelled as a stack op
                return inFunction ? InsnType.OTHER : InsnType.CONTEXT_SWITCH;
            }
            // 0xff: /2 call, /3 lcall, /4 jmp, /5 ljmp
            return switch (d.digit()) {
                case 2, 3 -> InsnType.CALL_DYNAMIC;
                case 4 -> InsnType.JUMP_DYNAMIC;
                case 5 -> InsnType.CONTEXT_SWITCH; // ljmp *mem: objtool 6.12 rejects it in functions
                default -> InsnType.OTHER;
            };
        }
        if (d.opcode == 0x01) {
            if (d.modrm == 0xca) {
                // f2/f3 0f 01 ca are ERETS/ERETU (FRED)
                return d.rep != 0 ? InsnType.CONTEXT_SWITCH : InsnType.CLAC;
            }
            if (d.modrm == 0xcb && d.rep == 0) {
                return InsnType.STAC;
            }
            return InsnType.OTHER;
        }
        // 0x1e
        if (d.rep == 0xf3 && (d.modrm == 0xfa || d.modrm == 0xfb)) {
            return InsnType.ENDBR;
        }
        return InsnType.OTHER;
    }
}
