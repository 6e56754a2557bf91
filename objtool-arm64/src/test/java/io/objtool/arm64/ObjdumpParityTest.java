package io.objtool.arm64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder against {@code aarch64-linux-gnu-objdump}: C compiled with the cross gcc under
 * several code-generation flags, hand-written assembly with every decoded class, and generated
 * encodings (random words within each class of {@link Arm64Decoder#FORMS}, and uniformly random
 * words) assembled with {@code .inst}. Per instruction: the class, the branch target and the stack
 * ops on sp and x29 that objdump's text implies.
 */
class ObjdumpParityTest {
    private static final Oracles.Tally COMPILED = Oracles.tally("arm64-objdump-compiled",
            "arm64 instructions of cross-compiled C and assembly (class, target, sp/fp ops vs objdump)");
    private static final Oracles.Tally GENERATED = Oracles.tally("arm64-objdump-generated",
            "generated arm64 encodings (class, target, sp/fp ops vs objdump)");

    static final String C_SOURCE = """
            #include <stdarg.h>
            #include <string.h>
            extern void ext(void *, int);
            extern int (*fp_table[4])(int);
            extern void stop(void) __attribute__((noreturn));
            struct big { long a[64]; };

            int leaf(int a, int b) { return a * b + 3; }
            int recurse(int n) { return n <= 1 ? 1 : n * recurse(n - 1) + recurse(n - 2); }
            int caller(int x) { char buf[64]; memset(buf, x, sizeof buf); ext(buf, x); return buf[x & 63]; }
            int vla(int n) { char a[n]; ext(a, n); return a[0]; }
            long bigframe(int i) { volatile char huge[70000]; huge[i] = 1; ext((void *) huge, i); return huge[i + 1]; }
            long frame8k(int i) { volatile char b[8192]; b[i] = 1; ext((void *) b, i); return b[i + 1]; }
            int indirect(int i, int v) { return fp_table[i & 3](v) + 1; }
            int tail(int i) { return fp_table[i & 3](i); }
            int sw(int i, int v) {
              switch (i) {
              case 0: return v + 1; case 1: return v * 7; case 2: return v - 9; case 3: return leaf(v, v);
              case 4: return v << 2; case 5: return recurse(v); case 6: return ~v; default: return 0;
              }
            }
            void noret(int x) { if (x) stop(); ext(0, x); }
            void trap(int x) { if (x > 3) __builtin_trap(); ext(0, x); }
            long sum(int n, ...) { va_list ap; long s = 0; va_start(ap, n); for (int i = 0; i < n; i++) s += va_arg(ap, long); va_end(ap); return s; }
            double fp(double a, double b, int n) { double r = 0; for (int i = 0; i < n; i++) { r += a * b; ext(&r, i); } return r; }
            struct big pass(struct big b, int i) { b.a[i & 63]++; ext(&b, i); return b; }
            int tbz(unsigned long x) { if (x & (1UL << 37)) ext(0, 1); if (!x) ext(0, 2); return (int) x; }
            """;

    static final String ASM_SOURCE = """
            .arch armv8.8-a+memtag
            .text
            .globl all
            .type all, %function
            all:
              paciasp
              pacibsp
              bti c
              bti j
              bti jc
              bti
              stp x29, x30, [sp, #-96]!
              mov x29, sp
              stp x19, x20, [sp, #16]
              stp d8, d9, [sp, #32]
              str x21, [sp, #48]
              str q0, [sp, #-32]!
              ldr q0, [sp], #32
              str x22, [sp, #-16]!
              ldr x22, [sp], #16
              stur x23, [x29, #-8]
              ldur x23, [x29, #-8]
              stp w1, w2, [sp, #-16]!
              ldp w1, w2, [sp], #16
              stnp x24, x25, [sp, #64]
              ldnp x24, x25, [sp, #64]
              add x29, sp, #16
              sub sp, sp, #0x10, lsl #12
              add sp, sp, #0x10, lsl #12
              sub sp, sp, x9
              add sp, sp, w9, uxtw
              mov x9, sp
              add x10, sp, #32
              mov sp, x29
              sub sp, x29, #16
              and sp, x9, #0xfffffffffffffff0
              orr sp, x9, #0xff
              mov x29, x1
              ldr x29, [x0]
              ldr x29, [sp, x1]
              ldr w29, [sp, #8]
              ldrsw x29, [sp]
              ldr x29, 1f
              movz x29, #1
              adrp x29, all
              csel x29, x0, x1, eq
              mrs x29, tpidr_el1
              cmp sp, #16
              cmn x29, #1
              adds x29, sp, #8
              add w29, w0, #1
              st1 {v0.16b}, [sp], #16
              ld1 {v0.16b, v1.16b}, [sp], x2
              stg sp, [sp, #-16]!
              stg x0, [sp], #16
              stzg x0, [sp, #32]
              st2g x0, [sp, #-32]!
              stz2g x0, [sp], #32
              stgp x0, x1, [sp, #-32]!
              stgp x29, x30, [sp, #16]
              ldg x29, [x0]
              irg x0, sp
              addg x1, sp, #16, #1
              ldraa x29, [sp, #-16]!
              ldrab x30, [sp, #8]
              ldxr x29, [x0]
              stxr w29, x1, [x0]
              cas x29, x1, [x0]
              ldadd x1, x29, [x0]
              fmov x29, d0
              umov w29, v0.b[1]
              cpyfp [x29]!, [x3]!, x1!
              cpyp [x0]!, [x29]!, x1!
              setgmt [x29]!, x2!, x3
              setp [x0]!, x29!, x3
              setp [x0]!, x1!, x29
            1:
              b 2f
              b.ne 1b
              b.al 1b
              bc.eq 1b
              cbz x0, 1b
              cbnz w1, 2f
              tbz x2, #63, 1b
              tbnz w3, #3, 2f
              bl all
              blr x1
              blraa x1, x2
              blrab x1, sp
              blraaz x3
              blrabz x3
              br x16
              braa x16, x17
              brab x16, sp
              braaz x16
              brabz x16
            2:
              ldp x19, x20, [sp, #16]
              ldp x29, x30, [sp], #96
              autiasp
              autibsp
              retaa
              retab
              ret x2
              ret
              eret
              eretaa
              eretab
              drps
              brk #0x800
              udf #1
              hint #0x18
              nop
              svc #0
              hvc #0
              yield
              // sp moved by a constant put in a register right before (frames over 4 KiB), and not
              mov x12, #0x2020
              sub sp, sp, x12
              mov x12, #0x2020
              add sp, sp, x12
              mov x16, #0x1170
              movk x16, #0x1, lsl #16
              sub sp, sp, x16
              movn x16, #0xf
              subs x29, sp, x16
              .inst 0xb27003f0
              sub sp, sp, x16
              mov x12, #0x20
              sub sp, sp, x12, lsl #4
              mov x12, #0x20
              add sp, sp, w12, sxtw #2
              mov x12, #-4
              add sp, sp, w12, uxtb
              mov x12, #0x2020
              sub x29, x29, x12
              mov x12, #0x2020
              sub sp, x1, x12
              movk x12, #0x1, lsl #16
              sub sp, sp, x12
              mov w12, #0x2020
              sub sp, sp, x12
              mov x11, #0x2020
              sub sp, sp, x12
              mov x12, #0x2020
              ldp x29, x30, [sp]
              ldrb w0, [x20, w19, sxtw]
              and x0, x0, #0xff
              add sp, sp, x12
              mov x12, #0x2020
              ldr x0, [x12]
              add sp, sp, x12
              mov x12, #0x2020
              bl all
              add sp, sp, x12
              mov x12, #0x40
              sub x29, x29, x12, lsr #2
              mov x12, #0x40
              madd x0, x1, x2, x12
              sub sp, sp, x12
            .size all, .-all
            """;

    @Test
    void compiledCodeMatchesObjdump(@TempDir Path dir) throws Exception {
        ObjdumpOracle.requireTools();
        Files.writeString(dir.resolve("t.c"), C_SOURCE);
        Files.writeString(dir.resolve("all.s"), ASM_SOURCE);
        String[][] variants = {
            {"-O2"},
            {"-O2", "-fno-omit-frame-pointer"},
            {"-O2", "-fno-omit-frame-pointer", "-mbranch-protection=standard"},
            {"-O2", "-mbranch-protection=pac-ret+b-key"},
            {"-O2", "-fno-omit-frame-pointer", "-march=armv8.5-a+memtag", "-fsanitize=kernel-hwaddress"},
            {"-Os", "-fno-omit-frame-pointer"},
        };
        ObjdumpOracle.Result r = new ObjdumpOracle.Result();
        List<String> objects = new ArrayList<>();
        for (int i = 0; i < variants.length; i++) {
            List<String> cmd = new ArrayList<>(List.of(ObjdumpOracle.GCC, "-c", "-o", "t" + i + ".o", "t.c"));
            cmd.addAll(List.of(variants[i]));
            ObjdumpOracle.run(dir, cmd.toArray(String[]::new));
            objects.add("t" + i + ".o");
        }
        ObjdumpOracle.run(dir, ObjdumpOracle.AS, "-o", "all.o", "all.s");
        objects.add("all.o");
        for (String o : objects) {
            ObjdumpOracle.compare(ObjdumpOracle.parse(ObjdumpOracle.run(dir, ObjdumpOracle.OBJDUMP, "-dr", o)), r);
        }
        System.out.println("arm64 decoder vs objdump, compiled code: " + r + "\n" + r.table());
        COMPILED.add(r.compared, r.compared - r.mismatches);
        assertTrue(r.compared > 1000 && r.withOps > 300, r::toString);
        for (String k : List.of("jump", "call", "return", "eret", "trap", "nop", "other")) {
            assertTrue(r.perClass.containsKey(k), () -> "no " + k + " instruction compared:\n" + r.table());
        }
        assertEquals(0, r.mismatches, () -> r + "\n" + r.table() + String.join("\n", r.samples));
    }

    /** The comparison can fail: a wrong offset, class or target in objdump's text is caught. */
    @Test
    void comparisonDetectsDifferences() {
        String text = """
                   0:	a9be7bfd 	stp	x29, x30, [sp, #-16]!
                   4:	910003fd 	mov	x29, x0
                   8:	14000002 	b	c <f+0xc>
                   c:	94000000 	b	0 <f>
                """;
        ObjdumpOracle.Result r = new ObjdumpOracle.Result();
        ObjdumpOracle.compare(ObjdumpOracle.parse(text), r);
        assertEquals(4, r.compared);
        assertEquals(4, r.mismatches, () -> String.join("\n", r.samples));
    }

    /**
     * The words the arm64 fuzz target keeps ({@code Arm64DecoderFuzzTestInputs/decode/}: every
     * 4-byte window of each input's run) against objdump: the fuzz target checks the decoder's
     * invariants, this checks what it decodes them to.
     */
    @Test
    void fuzzInputsMatchObjdump(@TempDir Path dir) throws Exception {
        ObjdumpOracle.requireTools();
        Path inputs = Path.of(getClass().getResource("Arm64DecoderFuzzTestInputs/decode").toURI());
        java.util.Set<Integer> words = new java.util.TreeSet<>();
        try (var files = Files.list(inputs)) {
            for (Path p : files.toList()) {
                byte[] d = Files.readAllBytes(p);
                int n = Math.min(Arm64DecoderFuzzTest.MAX_RUN, d.length - 1);
                for (int o = 0; o + 4 <= n; o++) {
                    words.add((d[o] & 0xff) | (d[o + 1] & 0xff) << 8 | (d[o + 2] & 0xff) << 16 | (d[o + 3] & 0xff) << 24);
                }
            }
        }
        StringBuilder s = new StringBuilder(".text\n");
        for (int w : words) {
            s.append(String.format(Locale.ROOT, ".inst 0x%08x\n", w));
        }
        Files.writeString(dir.resolve("f.s"), s);
        ObjdumpOracle.run(dir, ObjdumpOracle.AS, "-o", "f.o", "f.s");
        ObjdumpOracle.Result r = new ObjdumpOracle.Result();
        ObjdumpOracle.compare(ObjdumpOracle.parse(ObjdumpOracle.run(dir, ObjdumpOracle.OBJDUMP, "-d", "f.o")), r);
        assertTrue(r.compared >= 1 && r.compared == words.size(), r::toString);
        assertEquals(0, r.mismatches, () -> r + "\n" + r.table() + String.join("\n", r.samples));
    }

    @Test
    void generatedEncodingsMatchObjdump(@TempDir Path dir) throws Exception {
        ObjdumpOracle.requireTools();
        SplittableRandom rnd = new SplittableRandom(0x0b7001L);
        StringBuilder s = new StringBuilder(".text\n");
        int perForm = 300;
        int n = 0;
        for (int f = 0; f < Arm64Decoder.FORMS.length; f++) {
            int mask = Arm64Decoder.FORMS[f][0];
            int value = Arm64Decoder.FORMS[f][1];
            int got = 0;
            for (int tries = 0; got < perForm && tries < perForm * 20; tries++) {
                int w = (rnd.nextInt() & ~mask) | value;
                // bias the register fields towards sp, fp and lr, where the stack ops are
                if (rnd.nextInt(3) == 0) {
                    w = (w & ~0x3e0) | (new int[] {29, 31, 30}[rnd.nextInt(3)] << 5);
                }
                if (rnd.nextInt(3) == 0) {
                    w = (w & ~0x1f) | new int[] {29, 31, 30}[rnd.nextInt(3)];
                }
                if (Arm64Decoder.form(w) != f) {
                    continue;
                }
                s.append(String.format(Locale.ROOT, ".inst 0x%08x\n", w));
                got++;
                n++;
            }
        }
        for (int i = 0; i < 20_000; i++) {
            s.append(String.format(Locale.ROOT, ".inst 0x%08x\n", rnd.nextInt()));
            n++;
        }
        Files.writeString(dir.resolve("g.s"), s);
        ObjdumpOracle.run(dir, ObjdumpOracle.AS, "-o", "g.o", "g.s");
        ObjdumpOracle.Result r = new ObjdumpOracle.Result();
        List<ObjdumpOracle.Line> lines = ObjdumpOracle.parse(ObjdumpOracle.run(dir, ObjdumpOracle.OBJDUMP, "-d", "g.o"));
        assertEquals(n, lines.size(), "objdump lines");
        ObjdumpOracle.compare(lines, r);
        System.out.println("arm64 decoder vs objdump, generated encodings: " + r + "\n" + r.table());
        GENERATED.add(r.compared, r.compared - r.mismatches);
        assertTrue(r.withOps > 1000, r::toString);
        assertEquals(0, r.mismatches, () -> r + "\n" + r.table() + String.join("\n", r.samples));
    }
}
