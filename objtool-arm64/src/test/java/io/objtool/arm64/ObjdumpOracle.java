package io.objtool.arm64;

import static io.objtool.arm64.Arm64Regs.FP;
import static io.objtool.arm64.Arm64Regs.SP;

import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnType;
import io.objtool.api.arch.OpDestType;
import io.objtool.api.arch.OpSrcType;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oracle side of the decoder tests: runs the aarch64 cross tools, reads
 * {@code aarch64-linux-gnu-objdump -d} and derives from objdump's text alone, independently of the
 * decoder, what each instruction must decode to: its class, its branch target, and the stack ops
 * on sp and x29 written in {@link #ops(DecodedInsn)}'s notation.
 */
final class ObjdumpOracle {
    static final String GCC = "aarch64-linux-gnu-gcc";
    static final String AS = "aarch64-linux-gnu-as";
    static final String OBJDUMP = "aarch64-linux-gnu-objdump";

    private ObjdumpOracle() {
    }

    /** The cross tools; skips (or fails in CI) without them. */
    static void requireTools() {
        Oracles.require(Oracles.runs(OBJDUMP, "--version") && Oracles.runs(AS, "--version"),
                OBJDUMP + " and " + AS + " (Debian: binutils-aarch64-linux-gnu)");
        Oracles.require(Oracles.runs(GCC, "--version"), GCC + " (Debian: gcc-aarch64-linux-gnu)");
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** One instruction line of objdump's output. */
    record Line(long address, int word, String mnemonic, List<String> operands, String text, boolean relocated) {
        Line withRelocation() {
            return new Line(address, word, mnemonic, operands, text, true);
        }
    }

    private static final Pattern RELOC = Pattern.compile("^\\s*[0-9a-f]+: R_AARCH64_\\S+\\s.*$");

    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\s+([0-9a-f]{8})\\s+(\\S+)(?:\\s+(.*))?$");

    static List<Line> parse(String objdump) {
        List<Line> lines = new ArrayList<>();
        for (String l : objdump.split("\n")) {
            Matcher m = LINE.matcher(l);
            if (RELOC.matcher(l).matches() && !lines.isEmpty()) {
                // the branch displacement is in the relocation, objdump prints its symbol
                lines.set(lines.size() - 1, lines.getLast().withRelocation());
                continue;
            }
            if (!m.matches()) {
                continue;
            }
            String ops = m.group(4) == null ? "" : m.group(4);
            int c = ops.indexOf("//");
            if (c >= 0) {
                ops = ops.substring(0, c);
            }
            c = ops.indexOf(';');
            if (c >= 0) {
                ops = ops.substring(0, c);
            }
            lines.add(new Line(Long.parseLong(m.group(1), 16), Integer.parseUnsignedInt(m.group(2), 16),
                    m.group(3), splitOperands(ops.strip()), l.strip(), false));
        }
        return lines;
    }

    private static List<String> splitOperands(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch == '[' || ch == '{') {
                depth++;
            } else if (ch == ']' || ch == '}') {
                depth--;
            }
            if (ch == ',' && depth == 0) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    // ---- classes ----

    /** The class of a decoded instruction, in the words the oracle uses. */
    static String kind(InsnType t) {
        return switch (t) {
            case JUMP_CONDITIONAL, JUMP_UNCONDITIONAL, JUMP_DYNAMIC, JUMP_DYNAMIC_CONDITIONAL -> "jump";
            case CALL, CALL_DYNAMIC -> "call";
            case RETURN -> "return";
            case CONTEXT_SWITCH -> "eret";
            case BUG -> "trap";
            case NOP -> "nop";
            default -> "other";
        };
    }

    /** The class objdump's mnemonic names. */
    static String kind(Line l) {
        String m = l.mnemonic();
        if (m.startsWith("b.") || m.startsWith("bc.")) {
            return "jump";
        }
        return switch (m) {
            case "b", "cbz", "cbnz", "tbz", "tbnz", "br", "braa", "brab", "braaz", "brabz" -> "jump";
            case "bl", "blr", "blraa", "blrab", "blraaz", "blrabz" -> "call";
            case "ret", "retaa", "retab" -> "return";
            case "eret", "eretaa", "eretab", "drps" -> "eret";
            case "brk", "udf" -> "trap";
            case "nop", "paciasp", "autiasp", "pacibsp", "autibsp", "paciaz", "autiaz", "pacibz", "autibz", "bti" -> "nop";
            default -> "other";
        };
    }

    /** Whether the class has a direct branch target. */
    static boolean direct(Line l) {
        String m = l.mnemonic();
        return m.equals("b") || m.equals("bl") || m.startsWith("b.") || m.startsWith("bc.")
                || m.equals("cbz") || m.equals("cbnz") || m.equals("tbz") || m.equals("tbnz");
    }

    /** The target objdump prints: the last operand, a hex address followed by {@code <sym>}. */
    static long target(Line l) {
        String last = l.operands().getLast();
        int sp = last.indexOf(' ');
        return Long.parseUnsignedLong(sp < 0 ? last : last.substring(0, sp), 16);
    }

    // ---- stack ops, decoder side ----

    static String reg(int r) {
        return r == SP ? "sp" : "x" + r;
    }

    /** The decoder's stack ops in the oracle's notation. */
    static List<String> ops(DecodedInsn d) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < d.stackOpCount(); i++) {
            OpSrcType s = d.srcType(i);
            OpDestType t = d.destType(i);
            if (t == OpDestType.REG_INDIRECT && s == OpSrcType.REG) {
                out.add("st " + reg(d.srcReg(i)) + " @" + reg(d.destReg(i)) + signed(d.destOffset(i)));
            } else if (t == OpDestType.REG) {
                String dst = reg(d.destReg(i));
                out.add(switch (s) {
                    case REG_INDIRECT -> "ld @" + reg(d.srcReg(i)) + signed(d.srcOffset(i)) + " -> " + dst;
                    case REG -> "mov " + reg(d.srcReg(i)) + " -> " + dst;
                    case ADD -> "add " + reg(d.srcReg(i)) + signed(d.srcOffset(i)) + " -> " + dst;
                    case AND -> "and " + reg(d.srcReg(i)) + " & " + d.srcOffset(i) + " -> " + dst;
                    case CONST -> "unknown -> " + dst;
                    default -> "?" + d.stackOp(i);
                });
            } else {
                out.add("?" + d.stackOp(i));
            }
        }
        return out;
    }

    private static String signed(long v) {
        return v == 0 ? "+0" : (v > 0 ? "+" : "") + v;
    }

    // ---- stack ops, objdump side ----

    private static final java.util.Set<String> X64_TRANSFER = java.util.Set.of(
            "stp", "ldp", "stnp", "ldnp", "stgp", "str", "ldr", "stur", "ldur", "sttr", "ldtr", "ldraa", "ldrab");

    /** A register operand's number (sp 31, xzr/wzr -1), or -2 if it is not a general register. */
    private static int gpr(String op) {
        return switch (op) {
            case "sp", "wsp" -> SP;
            case "xzr", "wzr" -> -1;
            default -> {
                if (op.matches("[xw]([0-9]|[12][0-9]|30)")) {
                    yield Integer.parseInt(op.substring(1));
                }
                yield -2;
            }
        };
    }

    private static boolean tracked(int r) {
        return r == SP || r == FP;
    }

    private static long imm(String op) {
        String s = op.startsWith("#") ? op.substring(1) : op;
        boolean neg = s.startsWith("-");
        if (neg) {
            s = s.substring(1);
        }
        long v = s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        return neg ? -v : v;
    }

    /**
     * What objdump's text says the stack ops are of the last of {@code run}, contiguous lines:
     * {@code add|sub sp|x29, sp|x29, Xm} right after the lines that put a constant in Xm is an add
     * of that constant.
     */
    static List<String> expectedOps(List<Line> run) {
        Line l = run.getLast();
        List<String> out = expectedOps(l);
        List<String> ops = l.operands();
        String m = l.mnemonic();
        if (out.size() != 1 || !out.getFirst().startsWith("unknown -> ") || ops.size() < 3
                || !(m.equals("add") || m.equals("sub") || m.equals("adds") || m.equals("subs"))) {
            return out;
        }
        int d = gpr(ops.get(0));
        int n = gpr(ops.get(1));
        int rm = gpr(ops.get(2));
        if (!ops.get(0).startsWith("x") && !ops.get(0).equals("sp") || !tracked(n) || rm < 0
                || !(ops.get(2).startsWith("x") || ops.get(2).startsWith("w"))) {
            return out;
        }
        Long c = constantBefore(run, ops.get(2).charAt(0) == 'w' ? "x" + ops.get(2).substring(1) : ops.get(2));
        if (c == null) {
            return out;
        }
        long v = c;
        int shift = 0;
        String ext = ops.size() > 3 ? ops.get(3) : (ops.get(2).startsWith("w") ? "uxtw" : "uxtx");
        String[] e = ext.split(" #");
        if (e.length > 1) {
            shift = Integer.parseInt(e[1]);
        }
        v = switch (e[0]) {
            case "uxtb" -> v & 0xff;
            case "uxth" -> v & 0xffff;
            case "uxtw" -> v & 0xffffffffL;
            case "sxtb" -> (byte) v;
            case "sxth" -> (short) v;
            case "sxtw" -> (int) v;
            default -> v; // uxtx, sxtx, lsl
        };
        long sh = e[0].equals("lsr") ? v >>> shift : e[0].equals("asr") ? v >> shift : v << shift;
        if (e[0].equals("lsr") || e[0].equals("asr")) {
            shift = 0;
            v = sh;
        }
        long off = m.startsWith("sub") ? -sh : sh;
        if (off != (int) off || (sh >> shift) != v) {
            return out;
        }
        return List.of(off == 0 && !m.endsWith("s") ? "mov " + reg(n) + " -> " + reg(d) : "add " + reg(n) + signed(off) + " -> " + reg(d));
    }

    /** The constant objdump's lines before the last of {@code run} put in register {@code x}: mov (movz, movn, orr) then movk. */
    private static Long constantBefore(List<Line> run, String x) {
        List<Line> movk = new ArrayList<>();
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("(^|[^0-9a-z])[xwbhsdqv]" + x.substring(1) + "([^0-9]|$)");
        for (int k = run.size() - 2; k >= 0; k--) {
            Line p = run.get(k);
            List<String> o = p.operands();
            String pm = p.mnemonic();
            boolean writesX = o.size() >= 2 && o.get(0).equals(x)
                    && (pm.equals("mov") || pm.equals("movz") || pm.equals("movn") || pm.equals("movk") || pm.equals("orr"));
            if (!writesX) {
                // anything else between: straight-line code that does not name the register
                // (which encodings are plain data processing, loads and stores is the decoder's
                // table; whether they name the register, and the constant, come from the text)
                int f = Arm64Decoder.form(p.word());
                int cls = f < 0 ? Arm64Decoder.K_OTHER : Arm64Decoder.FORMS[f][2];
                boolean straight = java.util.Set.of(Arm64Decoder.K_ADDSUB_IMM, Arm64Decoder.K_LOGIC_IMM, Arm64Decoder.K_ADDG,
                        Arm64Decoder.K_LDST_IMM9, Arm64Decoder.K_LDST_UIMM, Arm64Decoder.K_DP_IMM, Arm64Decoder.K_MOV_REG,
                        Arm64Decoder.K_ADDSUB_EXT, Arm64Decoder.K_LDST_REGOFF, Arm64Decoder.K_DP_REG, Arm64Decoder.K_PAIR).contains(cls)
                        || kind(p).equals("nop");
                if (!straight || p.text().contains("undefined") || named.matcher(String.join(",", o)).find()) {
                    return null;
                }
                continue;
            }
            int sh = o.size() > 2 && o.get(2).startsWith("lsl #") ? Integer.parseInt(o.get(2).substring(5)) : 0;
            long value;
            switch (p.mnemonic()) {
                case "movk" -> {
                    movk.add(p);
                    continue;
                }
                case "mov" -> {
                    if (!o.get(1).startsWith("#")) {
                        return null;
                    }
                    value = imm(o.get(1));
                }
                case "orr" -> {
                    if (o.size() != 3 || !o.get(1).equals("xzr") || !o.get(2).startsWith("#")) {
                        return null;
                    }
                    value = imm(o.get(2));
                }
                case "movz" -> value = imm(o.get(1)) << sh;
                case "movn" -> value = ~(imm(o.get(1)) << sh);
                default -> {
                    return null;
                }
            }
            if (movk.size() > 3) {
                return null;
            }
            for (int i = movk.size() - 1; i >= 0; i--) {
                List<String> ko = movk.get(i).operands();
                int ks = ko.size() > 2 ? Integer.parseInt(ko.get(2).substring(5)) : 0;
                value = value & ~(0xffffL << ks) | imm(ko.get(1)) << ks;
            }
            return value;
        }
        return null;
    }

    /** What objdump's text says the stack ops are of one line. */
    static List<String> expectedOps(Line l) {
        List<String> out = new ArrayList<>();
        String m = l.mnemonic();
        List<String> ops = l.operands();
        if (ops.isEmpty() || l.text().contains("undefined")) {
            return out;
        }
        if ((m.startsWith("cpy") || m.startsWith("set")) && ops.stream().anyMatch(o -> o.endsWith("!"))) {
            // memory copy and set (FEAT_MOPS): the operands marked ! are the registers it advances
            for (String o : ops) {
                if (o.endsWith("!") && gpr(o.replaceAll("[\\[\\]!]", "")) == FP) {
                    out.add("unknown -> x29");
                    break;
                }
            }
            return out;
        }
        int mem = -1;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).startsWith("[")) {
                mem = i;
                break;
            }
        }
        String first = ops.getFirst();
        int d = gpr(first);
        if (mem >= 0 && !m.startsWith("ld1") && !m.startsWith("ld2") && !m.startsWith("ld3") && !m.startsWith("ld4")
                && !m.startsWith("st1") && !m.startsWith("st2") && !m.startsWith("st3") && !m.startsWith("st4")
                || m.equals("st2g") || m.equals("stz2g")) {
            memory(l, mem, out);
            return out;
        }
        if (mem >= 0) {
            // simd structure loads and stores: write-back by an amount that depends on the list
            String base = ops.get(mem).substring(1).replace("]", "").strip();
            if (mem + 1 < ops.size() && tracked(gpr(base))) {
                out.add("unknown -> " + reg(gpr(base)));
            }
            return out;
        }
        if (!first.isEmpty() && first.charAt(0) == '{') {
            return out;
        }
        boolean writesFirst = switch (m) {
            case "cmp", "cmn", "tst", "ccmp", "ccmn", "cbz", "cbnz", "tbz", "tbnz", "br", "blr", "ret", "msr",
                 "prfm", "prfum", "fcmp", "fcmpe", "braa", "brab", "blraa", "blrab", "braaz", "brabz", "blraaz",
                 "blrabz", "retaa", "retab", "sys", "dc", "ic", "at", "tlbi", "setf8", "setf16", "rmif", "hint",
                 "gmi", "stgm", "stzgm", "subps", "cmpp", "sysl", "sysp", "rprfm", "brb", "cpyfp", "wfet", "wfit" -> false;
            default -> true;
        };
        if (m.startsWith("st") && !m.startsWith("stxr") && !m.startsWith("stlxr")
                && !m.startsWith("stxp") && !m.startsWith("stlxp")) {
            writesFirst = false;
        }
        if (!writesFirst || d == -2 || d == -1) {
            return out;
        }
        boolean w64 = first.charAt(0) == 'x' || first.equals("sp");
        switch (m) {
            case "mov" -> {
                int s = gpr(ops.get(1));
                if (tracked(d)) {
                    out.add(w64 && s >= 0 ? "mov " + reg(s) + " -> " + reg(d) : "unknown -> " + reg(d));
                } else if (s == SP && w64) {
                    out.add("mov sp -> " + reg(d));
                }
                return out;
            }
            case "add", "sub", "adds", "subs", "addg", "subg" -> {
                int n = gpr(ops.get(1));
                String third = ops.get(2);
                boolean sub = m.startsWith("sub");
                if (third.startsWith("#")) {
                    long v = imm(third);
                    if (m.endsWith("g")) {
                        v = v; // addg/subg: byte offset, then the tag offset
                    } else if (ops.size() > 3 && ops.get(3).equals("lsl #12")) {
                        v <<= 12;
                    }
                    long off = sub ? -v : v;
                    if (tracked(d)) {
                        if (!w64) {
                            out.add("unknown -> " + reg(d));
                        } else if (off == 0 && !m.endsWith("s") && !m.endsWith("g")) {
                            out.add("mov " + reg(n) + " -> " + reg(d));
                        } else {
                            out.add("add " + reg(n) + signed(off) + " -> " + reg(d));
                        }
                    } else if (n == SP && w64 && !m.endsWith("g")) {
                        out.add(off == 0 ? "mov sp -> " + reg(d) : "add sp" + signed(off) + " -> " + reg(d));
                    }
                    return out;
                }
                if (tracked(d)) {
                    out.add("unknown -> " + reg(d));
                }
                return out;
            }
            case "and" -> {
                if (d == SP && w64 && ops.get(2).startsWith("#") && gpr(ops.get(1)) >= 0) {
                    long mask = imm(ops.get(2));
                    if (mask == (int) mask) {
                        out.add("and " + reg(gpr(ops.get(1))) + " & " + (int) mask + " -> sp");
                        return out;
                    }
                }
            }
            default -> { }
        }
        if (tracked(d)) {
            out.add("unknown -> " + reg(d));
        }
        return out;
    }

    private static void memory(Line l, int mem, List<String> out) {
        String m = l.mnemonic();
        List<String> ops = l.operands();
        String addr = ops.get(mem);
        boolean pre = addr.endsWith("!");
        String inner = addr.substring(1, addr.indexOf(']'));
        List<String> parts = splitOperands(inner);
        int base = gpr(parts.getFirst());
        boolean post = mem + 1 < ops.size();
        boolean regOffset = parts.size() > 1 && !parts.get(1).startsWith("#");
        long off = parts.size() > 1 && !regOffset ? imm(parts.get(1)) : 0;
        if (post) {
            off = ops.get(mem + 1).startsWith("#") ? imm(ops.get(mem + 1)) : Long.MIN_VALUE;
        }
        boolean tag = m.equals("stg") || m.equals("stzg") || m.equals("st2g") || m.equals("stz2g");
        boolean isLoad = m.startsWith("ld") || m.startsWith("cas") || m.startsWith("swp");
        boolean exclusiveStore = m.startsWith("stxr") || m.startsWith("stlxr") || m.startsWith("stxp") || m.startsWith("stlxp");
        boolean tb = tracked(base);
        if (pre && tb) {
            out.add("add " + reg(base) + signed(off) + " -> " + reg(base));
        }
        if (!tag) {
            int nregs = exclusiveStore ? mem - 1 : mem;
            int from = exclusiveStore ? 1 : 0;
            if (exclusiveStore && gpr(ops.getFirst()) == FP) {
                out.add("unknown -> x29");
            }
            if (m.startsWith("cas") || m.startsWith("swp") || m.startsWith("ldadd") || m.startsWith("ldclr")
                    || m.startsWith("ldeor") || m.startsWith("ldset") || m.startsWith("ldsmax") || m.startsWith("ldsmin")
                    || m.startsWith("ldumax") || m.startsWith("ldumin") || m.startsWith("ldapr")
                    || m.startsWith("ldar") || m.startsWith("ldlar") || m.startsWith("ldxr") || m.startsWith("ldaxr")
                    || m.startsWith("ldxp") || m.startsWith("ldaxp") || m.startsWith("ldapur") || m.equals("ldg")
                    || m.equals("ldgm")) {
                // the registers written: cas the first (Rs), casp the first pair, ld<op> and swp the
                // second (Rt), the other loads their transfer registers
                boolean any;
                if (m.startsWith("casp")) {
                    any = gpr(ops.get(0)) == FP || gpr(ops.get(1)) == FP;
                } else if (m.startsWith("cas")) {
                    any = gpr(ops.get(0)) == FP;
                } else if (m.startsWith("ldxp") || m.startsWith("ldaxp")) {
                    any = gpr(ops.get(0)) == FP || gpr(ops.get(1)) == FP;
                } else if (mem == 2 && !m.startsWith("ldxp") && !m.startsWith("ldaxp")) {
                    any = gpr(ops.get(1)) == FP;
                } else {
                    any = gpr(ops.get(0)) == FP;
                }
                if (any) {
                    out.add("unknown -> x29");
                }
                return;
            }
            boolean x64 = X64_TRANSFER.contains(m);
            long at = pre || post ? 0 : off;
            for (int i = from; i < nregs; i++) {
                String r = ops.get(i);
                int n = gpr(r);
                if (n < 0 || n == SP) {
                    continue;
                }
                boolean isX = r.charAt(0) == 'x';
                if (x64 && isX && tb && !regOffset) {
                    long slot = at + (i - from) * 8L;
                    out.add(isLoad ? "ld @" + reg(base) + signed(slot) + " -> " + reg(n)
                            : "st " + reg(n) + " @" + reg(base) + signed(slot));
                } else if (isLoad && n == FP && !m.startsWith("prf")) {
                    out.add("unknown -> x29");
                }
            }
        }
        if (post && tb) {
            out.add(off == Long.MIN_VALUE ? "unknown -> " + reg(base) : "add " + reg(base) + signed(off) + " -> " + reg(base));
        }
    }

    // ---- comparison ----

    /** What a comparison run found, per class. */
    static final class Result {
        final Map<String, long[]> perClass = new TreeMap<>();
        final List<String> samples = new ArrayList<>();
        final Map<String, Integer> seen = new TreeMap<>();
        long compared;
        long mismatches;
        /** Instructions whose objdump text implies sp/fp stack ops (all compared). */
        long withOps;

        void count(String kind, boolean same) {
            long[] c = perClass.computeIfAbsent(kind, k -> new long[2]);
            c[0]++;
            compared++;
            if (!same) {
                c[1]++;
                mismatches++;
            }
        }

        String table() {
            StringBuilder sb = new StringBuilder();
            perClass.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-8s %8d compared %6d mismatches%n", k, v[0], v[1])));
            return sb.toString();
        }

        @Override
        public String toString() {
            return compared + " instructions compared (" + withOps + " with sp/fp stack ops), " + mismatches + " mismatches";
        }
    }

    /** Decodes each objdump line's word and compares class, target and sp/fp stack ops. */
    static void compare(List<Line> lines, Result r) {
        Arm64Decoder dec = new Arm64Decoder();
        DecodedInsn d = new DecodedInsn();
        int window = Arm64Decoder.CONSTANT_WINDOW;
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            // the word with the contiguous words before it (a register's constant, see constantBefore)
            int first = i;
            while (first > 0 && i - first < window && lines.get(first - 1).address() == lines.get(first).address() - 4) {
                first--;
            }
            byte[] b = new byte[4 * (i - first + 1)];
            for (int k = first; k <= i; k++) {
                int w = lines.get(k).word();
                int at = 4 * (k - first);
                b[at] = (byte) w;
                b[at + 1] = (byte) (w >>> 8);
                b[at + 2] = (byte) (w >>> 16);
                b[at + 3] = (byte) (w >>> 24);
            }
            dec.decode(b, b.length - 4, d);
            String want = kind(l);
            String got = kind(d.type());
            List<String> why = new ArrayList<>();
            if (!d.ok() || d.length() != 4) {
                why.add("status " + d);
            }
            if (!want.equals(got)) {
                why.add("class " + got + ", objdump " + want);
            }
            if (direct(l) && want.equals(got) && !l.relocated()) {
                long t = d.branchTarget(l.address());
                if (!d.type().isDirectBranch() || t != target(l)) {
                    why.add(String.format("target %x, objdump %x", t, target(l)));
                }
            }
            // an encoding objdump calls undefined is compared by class only: the decoder does not
            // check every class's unallocated corners and may still report the write of an Rd that
            // is sp or fp, which errs on the side of an unreliable frame
            List<String> exp = expectedOps(lines.subList(first, i + 1));
            List<String> ops = ops(d);
            if (!l.text().contains("; undefined") && !exp.equals(ops)) {
                why.add("ops " + ops + ", objdump " + exp);
            }
            if (!exp.isEmpty()) {
                r.withOps++;
            }
            r.count(want, why.isEmpty());
            if (!why.isEmpty() && r.samples.size() < 60 && r.seen.merge(l.mnemonic() + (l.word() >>> 24), 1, Integer::sum) <= 2) {
                r.samples.add(l.text() + "  => " + String.join("; ", why));
            }
        }
    }
}
