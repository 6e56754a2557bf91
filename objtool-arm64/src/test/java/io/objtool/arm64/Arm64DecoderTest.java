package io.objtool.arm64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.arch.Arch;
import io.objtool.api.arch.Architectures;
import io.objtool.api.arch.DecodeStatus;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnType;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The decoder on hand-encoded words (encodings checked with aarch64-linux-gnu-as), and the arch facts. */
class Arm64DecoderTest {
    private final Arm64Decoder dec = new Arm64Decoder();
    private final DecodedInsn d = new DecodedInsn();

    private DecodedInsn decode(int w) {
        byte[] b = {(byte) w, (byte) (w >>> 8), (byte) (w >>> 16), (byte) (w >>> 24)};
        assertTrue(dec.decode(b, 0, d));
        return d;
    }

    private List<String> ops(int w) {
        return ObjdumpOracle.ops(decode(w));
    }

    @Test
    void foundThroughServiceLoaderByElfMachine() {
        Arch a = Architectures.forElfMachine(183).orElseThrow();
        assertEquals("arm64", a.name());
        assertSame(Arm64Arch.class, a.getClass());
        assertEquals(a.getClass(), Architectures.forName("arm64").orElseThrow().getClass());
        assertEquals(31, a.stackPointerReg());
        assertEquals(29, a.framePointerReg());
        assertEquals(0, a.callPushSize());
        assertEquals(0, a.initialFunctionCfi().cfa().offset());
    }

    @Test
    void frameRecordSetupAndTeardown() {
        // stp x29, x30, [sp, #-32]!
        assertEquals(List.of("add sp-32 -> sp", "st x29 @sp+0", "st x30 @sp+8"), ops(0xa9be7bfd));
        // mov x29, sp
        assertEquals(List.of("mov sp -> x29"), ops(0x910003fd));
        // add x29, sp, #16
        assertEquals(List.of("add sp+16 -> x29"), ops(0x910043fd));
        // ldp x29, x30, [sp], #32
        assertEquals(List.of("ld @sp+0 -> x29", "ld @sp+8 -> x30", "add sp+32 -> sp"), ops(0xa8c27bfd));
        // stp x19, x20, [sp, #16]
        assertEquals(List.of("st x19 @sp+16", "st x20 @sp+24"), ops(0xa90153f3));
        // sub sp, sp, #0x10, lsl #12
        assertEquals(List.of("add sp-65536 -> sp"), ops(0xd14043ff));
        // mov sp, x29
        assertEquals(List.of("mov x29 -> sp"), ops(0x910003bf));
    }

    /** The stack ops of the last of {@code words}, decoded with the words before it in memory. */
    private List<String> opsAfter(int... words) {
        byte[] b = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            for (int k = 0; k < 4; k++) {
                b[i * 4 + k] = (byte) (words[i] >>> (8 * k));
            }
        }
        assertTrue(dec.decode(b, b.length - 4, d));
        List<String> fromArray = ObjdumpOracle.ops(d);
        assertTrue(dec.decode(java.lang.foreign.MemorySegment.ofArray(b), b.length - 4, b.length, true, d));
        assertEquals(fromArray, ObjdumpOracle.ops(d), "segment and array decoders");
        return fromArray;
    }

    @Test
    void spMovedByAConstantInARegister() {
        // mov x12, #0x2020; sub sp, sp, x12 (a frame over 4 KiB)
        assertEquals(List.of("add sp-8224 -> sp"), opsAfter(0xd284040c, 0xcb2c63ff));
        assertFalse(d.has(DecodedInsn.F_UNMODELLED_SP_WRITE));
        // mov x12, #0x2020; add sp, sp, x12 (its epilogue)
        assertEquals(List.of("add sp+8224 -> sp"), opsAfter(0xd284040c, 0x8b2c63ff));
        // mov x16, #0x1170; movk x16, #0x1, lsl #16; sub sp, sp, x16
        assertEquals(List.of("add sp-70000 -> sp"), opsAfter(0xd2822e10, 0xf2a00030, 0xcb3063ff));
        // movn x16, #0xf; sub sp, sp, x16: minus -16
        assertEquals(List.of("add sp+16 -> sp"), opsAfter(0x928001f0, 0xcb3063ff));
        // mov x16, #0x10000 (orr from xzr, a bitmask immediate); sub sp, sp, x16
        assertEquals(List.of("add sp-65536 -> sp"), opsAfter(0xb27003f0, 0xcb3063ff));
        // mov x12, #0x20; sub sp, sp, x12, lsl #4
        assertEquals(List.of("add sp-512 -> sp"), opsAfter(0xd280040c, 0xcb2c73ff));
        // gcc's epilogue: mov x12, #0x2020; ldp x29, x30, [sp]; ldrb w0, [x20, w19, sxtw];
        // ldp x19, x20, [sp, #16]; and x0, x0, #0xff; add sp, sp, x12
        assertEquals(List.of("add sp+8224 -> sp"),
                opsAfter(0xd284040c, 0xa9407bfd, 0x3873ca80, 0xa94153f3, 0x92401c00, 0x8b2c63ff));
        // mov x12, #0x2020; nop; sub sp, sp, x12
        assertEquals(List.of("add sp-8224 -> sp"), opsAfter(0xd284040c, 0xd503201f, 0xcb2c63ff));
        // mov x12, #0x2020; sub x29, x29, x12 (shifted register)
        assertEquals(List.of("add x29-8224 -> x29"), opsAfter(0xd284040c, 0xcb0c03bd));
        // mov x12, #0x2020; sub x29, sp, x12
        assertEquals(List.of("add sp-8224 -> x29"), opsAfter(0xd284040c, 0xcb2c63fd));
    }

    @Test
    void spMovedByARegisterWithoutAConstantIsUnknown() {
        // sub sp, sp, x12 alone, at the start of the code
        assertEquals(List.of("unknown -> sp"), opsAfter(0xcb2c63ff));
        assertTrue(d.has(DecodedInsn.F_UNMODELLED_SP_WRITE));
        // mov x11, #0x2020 (another register); sub sp, sp, x12
        assertEquals(List.of("unknown -> sp"), opsAfter(0xd284040b, 0xcb2c63ff));
        // mov x12, #0x2020; ldr x12, [sp]; sub sp, sp, x12: x12 reloaded in between
        assertEquals(List.of("unknown -> sp"), opsAfter(0xd284040c, 0xf94003ec, 0xcb2c63ff));
        // mov x12, #0x2020; bl; add sp, sp, x12: a call in between
        assertEquals(List.of("unknown -> sp"), opsAfter(0xd284040c, 0x94000000, 0x8b2c63ff));
        // movk x12, #0x1, lsl #16; sub sp, sp, x12: the rest of x12 unknown
        assertEquals(List.of("unknown -> sp"), opsAfter(0xf2a0002c, 0xcb2c63ff));
        // mov w12, #0x2020 (32-bit); sub sp, sp, x12
        assertEquals(List.of("unknown -> sp"), opsAfter(0x5284040c, 0xcb2c63ff));
        // mov x12, #0x2020; sub sp, x1, x12: a base the walk does not track
        assertEquals(List.of("unknown -> sp"), opsAfter(0xd284040c, 0xcb2c603f));
        // mov x12, #0x2020; decoded alone (no words before): unknown
        assertEquals(List.of("unknown -> sp"), ops(0xcb2c63ff));
    }

    @Test
    void unevaluableWritesAreUnknown() {
        // sub sp, sp, x9
        assertEquals(List.of("unknown -> sp"), ops(0xcb2963ff));
        assertTrue(d.has(DecodedInsn.F_UNMODELLED_SP_WRITE));
        // ldr x29, [x0]
        assertEquals(List.of("unknown -> x29"), ops(0xf940001d));
        // movz x29, #1
        assertEquals(List.of("unknown -> x29"), ops(0xd280003d));
        // cmp sp, #16 writes nothing
        assertEquals(List.of(), ops(0xf10043ff));
    }

    @Test
    void branches() {
        // b .+8 at 0x100
        DecodedInsn i = decode(0x14000002);
        assertEquals(InsnType.JUMP_UNCONDITIONAL, i.type());
        assertEquals(0x108, i.branchTarget(0x100));
        // bl .-4
        i = decode(0x97ffffff);
        assertEquals(InsnType.CALL, i.type());
        assertEquals(0xfc, i.branchTarget(0x100));
        // b.ne .-8, cbz x0 .+16, tbnz w3, #3, .+4
        assertEquals(InsnType.JUMP_CONDITIONAL, decode(0x54ffffc1).type());
        assertEquals(0xf8, d.branchTarget(0x100));
        assertEquals(0x110, decode(0xb4000080).branchTarget(0x100));
        assertEquals(0x104, decode(0x37180023).branchTarget(0x100));
        assertEquals(InsnType.JUMP_DYNAMIC, decode(0xd61f0200).type());   // br x16
        assertEquals(InsnType.CALL_DYNAMIC, decode(0xd63f0020).type());   // blr x1
        assertEquals(InsnType.RETURN, decode(0xd65f03c0).type());         // ret
        assertEquals(InsnType.RETURN, decode(0xd65f0bff).type());         // retaa
        assertEquals(InsnType.CONTEXT_SWITCH, decode(0xd69f03e0).type()); // eret
        assertEquals(InsnType.BUG, decode(0xd4210000).type());            // brk #0x800
        assertEquals(InsnType.NOP, decode(0xd503233f).type());            // paciasp
        assertEquals(InsnType.NOP, decode(0xd503245f).type());            // bti c
        assertEquals(InsnType.OTHER, decode(0xd503203f).type());          // yield
    }

    @Test
    void everyWordDecodesAndTruncationIsReported() {
        SplittableRandom rnd = new SplittableRandom(16);
        MemorySegment seg = MemorySegment.ofArray(new byte[4]);
        for (int n = 0; n < 200_000; n++) {
            int w = rnd.nextInt();
            seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, w);
            assertTrue(dec.decode(seg, 0, 4, true, d));
            assertEquals(4, d.length());
            assertEquals(4 | d.typeOrdinal() << 8, dec.lengthAndType(seg, 0, 4, true));
        }
        assertFalse(dec.decode(new byte[] {1, 2, 3}, 0, d));
        assertEquals(DecodeStatus.TRUNCATED, d.status());
        assertEquals(-3, dec.lengthAndType(MemorySegment.ofArray(new byte[3]), 0, 3, true));
    }

    @Test
    void bitMaskImmediates() {
        assertEquals(0xfffffffffffffff0L, Arm64Decoder.bitMask(1, 60, 59, true)); // and sp, x9, #~15
        assertEquals(0x5555555555555555L, Arm64Decoder.bitMask(0, 0, 0x3c, true));
        assertEquals(0, Arm64Decoder.bitMask(1, 0, 63, true)); // all ones: reserved
    }

    @Test
    void patchingSequences() {
        Arch a = new Arm64Arch();
        assertArrayEquals(new byte[] {0x1f, 0x20, 0x03, (byte) 0xd5, 0x1f, 0x20, 0x03, (byte) 0xd5}, a.nop(8));
        assertEquals(InsnType.RETURN, decode(0xd65f03c0).type());
        byte[] r = a.ret(8);
        assertTrue(dec.decode(r, 0, d) && d.type() == InsnType.RETURN);
        assertTrue(dec.decode(r, 4, d) && d.type() == InsnType.BUG);
        assertEquals(4, a.callLength());
    }
}
