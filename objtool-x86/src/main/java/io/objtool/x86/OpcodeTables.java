package io.objtool.x86;

/**
 * Precomputed per-opcode attribute tables for the x86-64 opcode maps, built from the opcode tables
 * of the Intel SDM volume 2 appendix A and the AMD APM volume 3 (64-bit mode).
 *
 * <p>Each entry is a small bit set: {@link #MODRM}, an immediate kind in {@link #IMM_MASK}, and
 * {@link #INVALID}. The decoder reads one entry per instruction.
 */
final class OpcodeTables {
    private OpcodeTables() {
    }

    /** The opcode is followed by a ModRM byte (and maybe SIB and displacement). */
    static final int MODRM = 1;
    /** Undefined or invalid in 64-bit mode. */
    static final int INVALID = 1 << 1;
    /** The one-byte opcode writes the stack pointer or is a stack op candidate; see {@link X86StackOps}. */
    static final int STACK = 1 << 2;
    /**
     * Undefined, or invalid in 64-bit mode, but decoded the way objtool's decoder does (with its
     * 32-bit layout, or as the bare opcode in the 0f map) so that checking goes on as with the
     * reference; the result carries {@code DecodedInsn.F_UNDEFINED}.
     */
    static final int UNDEF = 1 << 3;

    static final int IMM_SHIFT = 4;
    static final int IMM_MASK = 0xf << IMM_SHIFT;
    /** No immediate. */
    static final int I_NONE = 0;
    /** imm8. */
    static final int I_B = 1;
    /** imm16. */
    static final int I_W = 2;
    /** imm16 with 66 (and no REX.W), else imm32. */
    static final int I_Z = 3;
    /** imm64 with REX.W, imm16 with 66, else imm32 (mov r, imm). */
    static final int I_V = 4;
    /** imm16 then imm8 (enter). */
    static final int I_W_B = 5;
    /** rel8. */
    static final int I_REL8 = 6;
    /** rel32 (near branches are 64-bit in long mode; 66 is ignored as on Intel and in the kernel). */
    static final int I_REL32 = 7;
    /** Absolute moffs: 8 bytes, 4 with 67. */
    static final int I_MOFFS = 8;
    /** Group 3 byte form: imm8 only for /0 and /1 (test). */
    static final int I_GRP3B = 9;
    /** Group 3 full form: immz only for /0 and /1 (test). */
    static final int I_GRP3Z = 10;
    /** 0f 78: two imm8 with 66 (extrq) or f2 (insertq), none otherwise (vmread). */
    static final int I_0F78 = 11;
    /** imm32 regardless of prefixes (XOP map 0a). */
    static final int I_D = 12;
    /** xbegin (c7 /7 with mod=3, rm=0): rel16 with 66, else rel32; c7 otherwise I_Z. */
    static final int I_C7 = 13;
    /** Far pointer of the 32-bit far call/jmp (9a, ea): offset and selector, 4 + 2 bytes, 2 + 2 with 66. */
    static final int I_FARPTR = 14;

    /** One-byte opcode map. */
    static final byte[] MAP0 = new byte[256];
    /** Two-byte map (0f xx). */
    static final byte[] MAP1 = new byte[256];
    /** Three-byte map 0f 38 xx. */
    static final byte[] MAP2 = new byte[256];
    /** Three-byte map 0f 3a xx. */
    static final byte[] MAP3 = new byte[256];
    /** VEX/EVEX map 1 (0f): which opcodes carry an imm8. */
    static final byte[] VEX_MAP1 = new byte[256];

    /** Legacy prefix classes (0 = not a prefix). */
    static final byte[] PREFIX = new byte[256];
    static final int P_66 = 1;
    static final int P_67 = 2;
    static final int P_F2 = 3;
    static final int P_F3 = 4;
    static final int P_LOCK = 5;
    static final int P_SEG = 6;

    static int imm(int attr) {
        return (attr & IMM_MASK) >>> IMM_SHIFT;
    }

    private static void set(byte[] map, int from, int to, int attr) {
        for (int i = from; i <= to; i++) {
            map[i] = (byte) attr;
        }
    }

    private static void set(byte[] map, int op, int attr) {
        map[op] = (byte) attr;
    }

    private static int imm(int kind, int other) {
        return (kind << IMM_SHIFT) | other;
    }

    static {
        buildMap0();
        buildMap1();
        set(MAP2, 0, 255, MODRM);
        set(MAP3, 0, 255, MODRM | imm(I_B, 0));
        set(VEX_MAP1, 0, 255, MODRM);
        set(VEX_MAP1, 0x70, 0x73, MODRM | imm(I_B, 0));
        set(VEX_MAP1, 0xc2, MODRM | imm(I_B, 0));
        set(VEX_MAP1, 0xc4, 0xc6, MODRM | imm(I_B, 0));
        set(VEX_MAP1, 0x77, 0); // vzeroupper / vzeroall
        PREFIX[0x66] = P_66;
        PREFIX[0x67] = P_67;
        PREFIX[0xf2] = P_F2;
        PREFIX[0xf3] = P_F3;
        PREFIX[0xf0] = P_LOCK;
        for (int seg : new int[] {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65}) {
            PREFIX[seg] = P_SEG;
        }
    }

    private static void buildMap0() {
        byte[] m = MAP0;
        // ALU blocks 00-3f: op Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,ib / eAX,iz
        for (int base = 0; base < 0x40; base += 8) {
            set(m, base, base + 3, MODRM);
            set(m, base + 4, imm(I_B, 0));
            set(m, base + 5, imm(I_Z, 0));
            set(m, base + 6, base + 7, UNDEF); // push/pop seg, daa/das/aaa/aas (26/2e/36/3e prefixes)
        }
        set(m, 0x01, MODRM | STACK); // add Gv -> Ev
        set(m, 0x29, MODRM | STACK); // sub Gv -> Ev
        set(m, 0x0f, 0); // escape, handled by the decoder
        set(m, 0x40, 0x4f, 0); // REX, handled by the decoder
        set(m, 0x50, 0x5f, STACK); // push/pop reg
        set(m, 0x60, 0x61, UNDEF); // pusha, popa
        set(m, 0x62, INVALID); // EVEX, handled by the decoder
        set(m, 0x63, MODRM); // movsxd
        set(m, 0x68, imm(I_Z, STACK));
        set(m, 0x69, imm(I_Z, MODRM));
        set(m, 0x6a, imm(I_B, STACK));
        set(m, 0x6b, imm(I_B, MODRM));
        set(m, 0x6c, 0x6f, 0); // ins/outs
        set(m, 0x70, 0x7f, imm(I_REL8, 0));
        set(m, 0x80, imm(I_B, MODRM));
        set(m, 0x81, imm(I_Z, MODRM | STACK));
        set(m, 0x82, imm(I_B, MODRM | UNDEF)); // the 32-bit alias of 80
        set(m, 0x83, imm(I_B, MODRM | STACK));
        set(m, 0x84, 0x8f, MODRM); // test, xchg, mov, lea, mov seg, pop Ev
        set(m, 0x87, MODRM | STACK); // xchg Gv,Ev
        set(m, 0x89, MODRM | STACK);
        set(m, 0x8b, MODRM | STACK);
        set(m, 0x8d, MODRM | STACK);
        set(m, 0x8f, MODRM | STACK);
        set(m, 0x90, 0x99, 0);
        set(m, 0x94, STACK); // xchg %rsp,%rax
        set(m, 0x9a, imm(I_FARPTR, UNDEF)); // far call ptr
        set(m, 0x9b, 0x9f, 0);
        set(m, 0x9c, STACK);
        set(m, 0x9d, STACK);
        set(m, 0xa0, 0xa3, imm(I_MOFFS, 0));
        set(m, 0xa4, 0xa7, 0);
        set(m, 0xa8, imm(I_B, 0));
        set(m, 0xa9, imm(I_Z, 0));
        set(m, 0xaa, 0xaf, 0);
        set(m, 0xb0, 0xb7, imm(I_B, 0));
        set(m, 0xb8, 0xbf, imm(I_V, 0));
        set(m, 0xbc, imm(I_V, STACK)); // mov $imm,%rsp
        set(m, 0xc0, 0xc1, imm(I_B, MODRM));
        set(m, 0xc1, imm(I_B, MODRM | STACK));
        set(m, 0xc2, imm(I_W, 0));
        set(m, 0xc3, 0);
        set(m, 0xc4, 0xc5, INVALID); // VEX, handled by the decoder
        set(m, 0xc6, imm(I_B, MODRM)); // mov Eb,ib / xabort
        set(m, 0xc7, imm(I_C7, MODRM | STACK)); // mov Ev,iz / xbegin
        set(m, 0xc8, imm(I_W_B, STACK)); // enter
        set(m, 0xc9, STACK); // leave
        set(m, 0xca, imm(I_W, 0));
        set(m, 0xcb, 0xcc, 0);
        set(m, 0xcd, imm(I_B, 0));
        set(m, 0xce, UNDEF); // into
        set(m, 0xcf, STACK); // iret
        set(m, 0xd0, 0xd3, MODRM);
        set(m, 0xd1, MODRM | STACK);
        set(m, 0xd3, MODRM | STACK);
        set(m, 0xd4, 0xd5, imm(I_B, UNDEF)); // aam, aad
        set(m, 0xd6, UNDEF); // salc
        set(m, 0xd7, 0);
        set(m, 0xd8, 0xdf, MODRM); // x87
        set(m, 0xe0, 0xe3, imm(I_REL8, 0));
        set(m, 0xe4, 0xe7, imm(I_B, 0));
        set(m, 0xe8, 0xe9, imm(I_REL32, 0));
        set(m, 0xea, imm(I_FARPTR, UNDEF)); // far jmp ptr
        set(m, 0xeb, imm(I_REL8, 0));
        set(m, 0xec, 0xef, 0);
        set(m, 0xf0, 0xf5, 0); // lock, int1, rep prefixes, hlt, cmc
        set(m, 0xf6, imm(I_GRP3B, MODRM));
        set(m, 0xf7, imm(I_GRP3Z, MODRM | STACK));
        set(m, 0xf8, 0xfd, 0);
        set(m, 0xfe, MODRM);
        set(m, 0xff, MODRM | STACK);
        // ALU ops that may target %rsp through ModRM.rm or ModRM.reg
        for (int op : new int[] {0x03, 0x09, 0x0b, 0x11, 0x13, 0x19, 0x1b, 0x21, 0x23, 0x2b, 0x31, 0x33}) {
            m[op] |= STACK;
        }
    }

    private static void buildMap1() {
        byte[] m = MAP1;
        set(m, 0x00, 0xff, MODRM); // most of the map has ModRM and no immediate
        set(m, 0x04, UNDEF);
        set(m, 0x05, 0x09, 0); // syscall, clts, sysret, invd, wbinvd
        set(m, 0x0a, UNDEF);
        set(m, 0x0b, 0); // ud2
        set(m, 0x0c, UNDEF);
        set(m, 0x0e, 0); // femms
        set(m, 0x0f, imm(I_B, MODRM)); // 3DNow!: ModRM then the opcode as a suffix byte
        set(m, 0x24, 0x27, UNDEF); // mov to/from test registers
        set(m, 0x30, 0x37, 0); // wrmsr, rdtsc, rdmsr, rdpmc, sysenter, sysexit, -, getsec
        set(m, 0x36, UNDEF);
        set(m, 0x38, INVALID); // escapes, handled by the decoder
        set(m, 0x39, UNDEF);
        set(m, 0x3a, INVALID);
        set(m, 0x3b, 0x3f, UNDEF);
        set(m, 0x70, 0x73, imm(I_B, MODRM));
        set(m, 0x77, 0); // emms
        set(m, 0x78, imm(I_0F78, MODRM));
        set(m, 0x7a, 0x7b, UNDEF);
        set(m, 0x80, 0x8f, imm(I_REL32, 0));
        set(m, 0xa0, 0xa2, 0); // push fs, pop fs, cpuid
        set(m, 0xa4, imm(I_B, MODRM));
        set(m, 0xa6, 0xa7, MODRM); // VIA PadLock: xsha*, montmul, xstore, xcrypt* (fixed ModRM)
        set(m, 0xa8, 0xaa, 0); // push gs, pop gs, rsm
        set(m, 0xac, imm(I_B, MODRM));
        set(m, 0xba, imm(I_B, MODRM));
        set(m, 0xc2, imm(I_B, MODRM));
        set(m, 0xc4, 0xc6, imm(I_B, MODRM));
        set(m, 0xc8, 0xcf, 0); // bswap
    }
}
