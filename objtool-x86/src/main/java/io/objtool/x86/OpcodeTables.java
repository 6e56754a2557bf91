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
    /** imm32 regardless of prefixes (EVEX map 7, f8). */
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
    /**
     * EVEX map 4, the legacy instructions promoted to EVEX: all take a ModRM; the immediates are
     * those of their legacy forms (the shifts by imm8, shld/shrd by imm8, imul, groups 1, 2 and 3).
     */
    static final byte[] EVEX_MAP4 = new byte[256];

    /**
     * The opcodes objtool's decoder takes under a VEX prefix, by map (0f, 0f38, 0f3a) and implied
     * prefix (none, 66, f3, f2), as hex ranges; any other opcode is "can't decode instruction". The
     * opcode maps list few instructions in each (VEX) form, and the reference decodes only those.
     * Measured black-box on objtool 6.12 (every opcode of every map and prefix: VexValidityTest in
     * objtool-cli compares each with it). Group opcodes ({@link #vexGroupRegs}) are decided by
     * their ModRM.reg instead.
     */
    private static final String[][] VEX_OK = {
        {"10-17 28-29 2b 2e-2f 41-42 44-47 4a-4b 50-5f 77-79 90-93 98-99 c2 c6", "10-17 28-29 2b 2e-2f 41-42 44-47 4a-4b 50-51 54-70 72 74-76 7c-7f 90-93 98-99 c2 c4-c6 d0-ef f1-fe", "10-12 16 2a 2c-2d 51-53 58-5f 6f-70 7e-7f c2 e6", "10-12 2a 2c-2d 51 58-5a 5c-5f 70 7c-7d 92-93 c2 d0 e6 f0"},
        {"49 50-51 5e 6c b0 d2-d3 da f2 f5 f7", "00-10 13-1a 1c-1e 20-25 28-41 45-47 49 4b 50-53 58-5a 5e 6c 78-79 8c 8e 90-93 96-9f a6-b1 b4-bf cf d2-d3 da-ef f7", "4b 50-51 5c 5e 72 b0-b1 d2-d3 da f5 f7", "49 4b 50-51 5c 5e b0 cb-cd da f5-f7"},
        {"08 0a", "00-02 04-06 08-0f 14-19 1d 20-22 30-33 38-39 40-42 44 46 4a-4c 60-63 ce-cf de-df", "", "f0"}
    };

    /** As {@link #VEX_OK} for EVEX, maps 1 to 7 (map 4: the promoted legacy instructions; 5 and 6: FP16). */
    private static final String[][] EVEX_OK = {
        {"10-17 28-29 2b 2e-2f 41-42 44-47 4a-4b 50-5f 77-79 90-93 98-99 c2 c6", "10-17 28-29 2b 2e-2f 41-42 44-47 4a-4b 50-51 54-70 72 74-76 78-7f 90-93 98-99 c2 c4-c6 d0-ef f1-fe", "10-12 16 2a 2c-2d 51-53 58-5f 6f-70 78-7b 7e-7f c2 e6", "10-12 2a 2c-2d 51 58-5a 5c-5f 6f-70 78-7d 7f 92-93 c2 d0 e6 f0"},
        {"49 50-51 5e 6c b0 d2-d3 da f2 f5 f7", "00-47 49 4b-55 58-5b 5e 62-66 6c 70-73 75-7f 83 88-93 96-a3 a6-b1 b4-bf c4 c8 ca-cd cf d2-d3 da-ef f7", "10-15 20-2a 30-35 38-3a 4b 50-52 5c 5e 72 b0-b1 d2-d3 da f5 f7", "49 4b 50-53 5c 5e 68 72 9a-9b aa-ab b0 cb-cd da f5-f7"},
        {"08 0a 26-27 56-57 66-67 c2", "00-06 08-0f 14-1b 1d-23 25-27 30-33 38-3b 3e-44 46 4a-4c 50-51 54-57 60-63 66-67 70-73 ce-cf de-df", "c2", "f0"},
        {"00-03 08-0b 10-13 18-1b 20-24 28-2c 30-33 38-3b 40-4f 60-61 66 69 6b 80-81 83-85 88 8f a5 ad af c0-c1 d0-d3 f0-f1 f4-f7 f9 fe-ff", "01 03 09 0b 11 13 19 1b 21 23-24 29 2b-2c 31 33 39 3b 40-4f 60-61 65-66 69 6b 80-81 83 85 88 a5 ad af c0-c1 d0-d3 f1 f4-f8 fe-ff", "66 80-81 83 c0-c1 d0-d3 f0-f2 f6-f8 fe-ff", "40-4f 80-81 83 c0-c1 d0-d3 f6-f8 fe-ff"},
        {"1d 2e-2f 51 58-5f 78-79 7c-7d", "1d 5a-5b 6e 78-7e", "10-11 2a 2c-2d 51 58-5f 78-79 7b 7d", "5a 7a 7d"},
        {"13", "13 2c-2d 42-43 4c-4f 96-9f a6-af b6-bf", "56-57 d6-d7", "56-57 d6-d7"},
        {"", "", "f8", "f8"}
    };

    /** Bit set of {@link #VEX_OK}: index ((map * 4 + pp) * 4 + (op >> 6)), bit op & 63. */
    private static final long[] VEX_VALID = bits(VEX_OK);
    /** Bit set of {@link #EVEX_OK}, indexed as {@link #VEX_VALID}. */
    private static final long[] EVEX_VALID = bits(EVEX_OK);

    private static long[] bits(String[][] maps) {
        long[] b = new long[(maps.length + 1) * 16];
        for (int m = 0; m < maps.length; m++) {
            for (int pp = 0; pp < 4; pp++) {
                for (String r : maps[m][pp].split(" ")) {
                    if (r.isEmpty()) {
                        continue;
                    }
                    int dash = r.indexOf('-');
                    int from = Integer.parseInt(dash < 0 ? r : r.substring(0, dash), 16);
                    int to = dash < 0 ? from : Integer.parseInt(r.substring(dash + 1), 16);
                    for (int op = from; op <= to; op++) {
                        b[((m + 1) * 4 + pp) * 4 + (op >> 6)] |= 1L << op;
                    }
                }
            }
        }
        return b;
    }

    /** Whether objtool's decoder takes opcode {@code op} of {@code map} with implied prefix {@code pp} under VEX ({@code evex} false) or EVEX. */
    static boolean vexValid(boolean evex, int map, int pp, int op) {
        long[] b = evex ? EVEX_VALID : VEX_VALID;
        int i = (map * 4 + pp) * 4 + (op >> 6);
        return map >= 1 && i < b.length && (b[i] & 1L << op) != 0;
    }

    /**
     * For a VEX or EVEX group opcode, the ModRM.reg values objtool's decoder takes (a bit each);
     * -1 for an opcode that is not a group. The same for VEX and EVEX (measured as {@link #VEX_OK}).
     */
    static int vexGroupRegs(int map, int pp, int op) {
        return switch (map) {
            case 1 -> switch (op) {
                case 0x71 -> pp == 1 ? 0x54 : 0; // /2 /4 /6
                case 0x72 -> pp == 1 ? 0x57 : 0; // /0 /1 /2 /4 /6
                case 0x73 -> pp == 1 ? 0xcc : 0; // /2 /3 /6 /7
                case 0xae -> pp == 0 ? 0x0c : 0; // /2 /3
                default -> -1;
            };
            case 2 -> switch (op) {
                case 0xf3 -> 0x0e; // /1 /2 /3
                case 0xc6, 0xc7 -> pp == 1 ? 0x66 : 0; // /1 /2 /5 /6
                default -> -1;
            };
            default -> -1;
        };
    }

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
        set(EVEX_MAP4, 0, 255, MODRM);
        for (int op : new int[] {0x24, 0x2c, 0x6b, 0x80, 0x83, 0xc0, 0xc1}) {
            set(EVEX_MAP4, op, MODRM | imm(I_B, 0));
        }
        set(EVEX_MAP4, 0x69, MODRM | imm(I_Z, 0));
        set(EVEX_MAP4, 0x81, MODRM | imm(I_Z, 0));
        set(EVEX_MAP4, 0xf6, MODRM | imm(I_GRP3B, 0));
        set(EVEX_MAP4, 0xf7, MODRM | imm(I_GRP3Z, 0));
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
