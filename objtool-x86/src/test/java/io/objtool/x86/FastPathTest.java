package io.objtool.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.DecodedInsn;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder's branch-free fast path must give exactly what the general decoder gives: every
 * field of the result, the stack ops and {@code lengthAndType}, on generated instruction shapes
 * (prefix, REX, escape, opcode, ModRM, SIB and random tail bytes) and on random bytes.
 */
class FastPathTest {

    private static final int[] PREFIXES = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65};

    /** A window of 32 bytes shaped like an instruction, so that most take the fast path. */
    private static byte[] shaped(Random r) {
        byte[] b = new byte[32];
        r.nextBytes(b);
        int p = 0;
        int prefixes = r.nextInt(8) == 0 ? 1 + r.nextInt(2) : 0;
        for (int i = 0; i < prefixes; i++) {
            b[p++] = (byte) PREFIXES[r.nextInt(PREFIXES.length)];
        }
        if (r.nextBoolean()) {
            b[p++] = (byte) (0x40 | r.nextInt(16));
        }
        if (r.nextBoolean()) {
            // an opcode that can touch the stack, with ModRM and SIB fields biased to %rsp/%rbp
            b[p++] = (byte) STACK_OPCODES[r.nextInt(STACK_OPCODES.length)];
            b[p++] = (byte) (r.nextInt(4) << 6 | spOrBp(r) << 3 | spOrBp(r));
            b[p] = (byte) (r.nextInt(4) << 6 | (r.nextBoolean() ? 4 : r.nextInt(8)) << 3 | spOrBp(r));
            return b;
        }
        if (r.nextInt(4) == 0) {
            b[p++] = 0x0f;
        }
        b[p++] = (byte) r.nextInt(256); // opcode
        b[p] = (byte) r.nextInt(256); // ModRM
        return b;
    }

    /** One-byte opcodes the stack-op builder looks at. */
    private static final int[] STACK_OPCODES = {
        0x01, 0x03, 0x09, 0x0b, 0x11, 0x13, 0x19, 0x1b, 0x21, 0x23, 0x29, 0x2b, 0x31, 0x33,
        0x50, 0x55, 0x5c, 0x5d, 0x68, 0x6a, 0x81, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8f, 0x94,
        0x9c, 0x9d, 0xbc, 0xc1, 0xc7, 0xc8, 0xc9, 0xcf, 0xd1, 0xd3, 0xf7, 0xff};

    /** A register field: %rsp or %rbp half of the time. */
    private static int spOrBp(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 4;
            case 1 -> 5;
            default -> r.nextInt(8);
        };
    }

    @Test
    void fastPathAgreesWithTheGeneralDecoder() {
        Random r = new Random(20261123);
        X86Decoder fast = new X86Decoder();
        X86Decoder general = new X86Decoder();
        DecodedInsn a = new DecodedInsn();
        DecodedInsn b = new DecodedInsn();
        int compared = 0;
        for (int i = 0; i < 400_000; i++) {
            byte[] bytes;
            if (i % 4 == 3) {
                bytes = new byte[32];
                r.nextBytes(bytes);
            } else {
                bytes = shaped(r);
            }
            MemorySegment m = MemorySegment.ofArray(bytes);
            boolean inFunction = (i & 1) == 0;
            boolean okA = fast.decode(m, 0, bytes.length, inFunction, a);
            boolean okB = general.decodeWithoutFastPath(m, 0, bytes.length, inFunction, b);
            String what = HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.max(1, Math.min(15, b.length())));
            assertEquals(okB, okA, what);
            assertEquals(describe(b), describe(a), what);
            int lt = fast.lengthAndType(m, 0, bytes.length, inFunction);
            int expected = okB ? b.length() | b.typeOrdinal() << 8 : -b.length();
            assertEquals(expected, lt, what);
            compared++;
        }
        assertEquals(400_000, compared);
    }

    /** The share of the generated shapes the fast path takes, so that the test above tests it. */
    @Test
    void mostShapedInstructionsTakeTheFastPath() {
        Random r = new Random(7);
        X86Decoder d = new X86Decoder();
        int fast = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            byte[] bytes = shaped(r);
            if (d.fastPathTakes(MemorySegment.ofArray(bytes), 0, bytes.length)) {
                fast++;
            }
        }
        assertTrue(fast > n / 2, "fast path took " + fast + " of " + n);
    }

    static String describe(DecodedInsn d) {
        StringBuilder sb = new StringBuilder(d.toString());
        sb.append(" flags=").append(d.flags())
                .append(" map=").append(d.opcodeMap())
                .append(" op=").append(d.opcode())
                .append(" modrm=").append(d.modrm())
                .append(" disp=").append(d.dispOffset()).append('/').append(d.dispSize())
                .append(" imm=").append(d.immOffset()).append('/').append(d.immSize())
                .append(" immediate=").append(d.immediate());
        for (int i = 0; i < d.stackOpCount(); i++) {
            sb.append(" op").append(i).append('=').append(d.stackOp(i));
        }
        return sb.toString();
    }
}
