package io.objtool.elf.dwarf;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;

/**
 * A DWARF expression of a CFA rule ({@code DW_CFA_def_cfa_expression}) or a register rule
 * ({@code DW_CFA_expression}, {@code DW_CFA_val_expression}): its bytes and its value evaluated
 * symbolically ({@link #value()}), for example {@code deref(rbp-8)} for the CFA of a gcc DRAP
 * function. For a register rule the evaluation starts with the CFA on the stack, as DWARF says.
 * Operations whose value cannot be written as a term (branches, calls, TLS) make the whole value
 * {@link Opaque}; an operation on an opaque value is that value, and so is a term of more than
 * {@link #MAX_TERM} operations and operands (a few bytes of {@code DW_OP_dup}, {@code DW_OP_plus}
 * would otherwise build a term exponentially large to print). A truncated expression, or one
 * that pops an empty stack, raises {@link io.objtool.elf.MalformedElfException}.
 */
public final class DwarfExpr {
  /** Most operations and operands a value's term may have; a larger one is {@link Opaque}. */
  public static final int MAX_TERM = 64;

  /** A symbolic value: a constant, a register plus an offset, the CFA, a load, or an operation. */
  public sealed interface Value permits Const, RegOffset, Cfa, Deref, Op, Opaque { }

  /** A constant. */
  public record Const(long value) implements Value {
    @Override public String toString() { return Long.toString(value); }
  }

  /** The value of DWARF register {@code reg} plus {@code offset} ({@code DW_OP_breg*}). */
  public record RegOffset(int reg, long offset) implements Value {
    @Override public String toString() { return "r" + reg + off(offset); }
  }

  /** The CFA plus {@code offset} (pushed for register rules, or {@code DW_OP_call_frame_cfa}). */
  public record Cfa(long offset) implements Value {
    @Override public String toString() { return "cfa" + off(offset); }
  }

  /** The {@code size}-byte word at {@code address} ({@code DW_OP_deref}, {@code DW_OP_deref_size}). */
  public record Deref(Value address, int size) implements Value {
    @Override public String toString() { return "deref(" + address + ")" + (size == 8 ? "" : "#" + size); }
  }

  /** A binary or unary operation ({@code b} null when unary), named as DWARF does: and, minus, mul, ... */
  public record Op(String op, Value a, Value b) implements Value {
    @Override public String toString() { return op + "(" + a + (b == null ? "" : ", " + b) + ")"; }
  }

  /** A value the evaluator does not model: {@code why} names the operation. */
  public record Opaque(String why) implements Value {
    @Override public String toString() { return "opaque(" + why + ")"; }
  }

  private final byte[] bytes;
  private final Value value;

  private DwarfExpr(byte[] bytes, Value value) {
    this.bytes = bytes;
    this.value = value;
  }

  /** The expression {@code bytes}, evaluated with the CFA pushed first when {@code pushCfa}. */
  static DwarfExpr of(byte[] bytes, boolean pushCfa, Path file, String where) {
    return new DwarfExpr(bytes.clone(), evaluate(bytes, pushCfa, file, where));
  }

  /** The expression's bytes. */
  public byte[] bytes() { return bytes.clone(); }

  /** The symbolic value on top of the stack at the end. */
  public Value value() { return value; }

  /** The value with register numbers named for {@code machine} ({@link DwarfRegs}). */
  public String format(int machine) {
    return format(value, machine);
  }

  /** {@code v} with register numbers named for {@code machine}. */
  public static String format(Value v, int machine) {
    return switch (v) {
      case RegOffset r -> DwarfRegs.name(machine, r.reg()) + off(r.offset());
      case Deref d -> "deref(" + format(d.address(), machine) + ")" + (d.size() == 8 ? "" : "#" + d.size());
      case Op o -> o.op() + "(" + format(o.a(), machine) + (o.b() == null ? "" : ", " + format(o.b(), machine)) + ")";
      default -> v.toString();
    };
  }

  static String off(long o) {
    return o == 0 ? "" : o > 0 ? "+" + o : Long.toString(o);
  }

  @Override public boolean equals(Object o) {
    return o instanceof DwarfExpr e && Arrays.equals(bytes, e.bytes) && value.equals(e.value);
  }

  @Override public int hashCode() { return Arrays.hashCode(bytes); }

  @Override public String toString() { return value.toString() + " [" + HexFormat.of().formatHex(bytes) + "]"; }

  private static Value evaluate(byte[] b, boolean pushCfa, Path file, String where) {
    Deque<Value> st = new ArrayDeque<>();
    if (pushCfa) push(st, new Cfa(0));
    Cursor c = new Cursor(b, file, where);
    while (c.more()) {
      int op = c.u8();
      if (op >= 0x30 && op <= 0x4f) { push(st, new Const(op - 0x30)); continue; }      // DW_OP_lit*
      if (op >= 0x70 && op <= 0x8f) { push(st, new RegOffset(op - 0x70, c.sleb())); continue; } // DW_OP_breg*
      if (op >= 0x50 && op <= 0x6f) return new Opaque("DW_OP_reg" + (op - 0x50));
      switch (op) {
        case 0x03 -> push(st, new Const(c.s64()));               // addr
        case 0x08 -> push(st, new Const(c.u8()));                // const1u
        case 0x09 -> push(st, new Const((byte) c.u8()));         // const1s
        case 0x0a -> push(st, new Const(c.u16()));               // const2u
        case 0x0b -> push(st, new Const((short) c.u16()));       // const2s
        case 0x0c -> push(st, new Const(c.u32()));               // const4u
        case 0x0d -> push(st, new Const((int) c.u32()));         // const4s
        case 0x0e, 0x0f -> push(st, new Const(c.s64()));         // const8u/s
        case 0x10 -> push(st, new Const(c.uleb()));              // constu
        case 0x11 -> push(st, new Const(c.sleb()));              // consts
        case 0x12 -> push(st, need(st, c).peek());               // dup
        case 0x13 -> need(st, c).pop();                         // drop
        case 0x14 -> { Value t = pop(st, c); Value u = pop(st, c); push(st, u); push(st, t); push(st, u); } // over
        case 0x15 -> {                                          // pick
          int i = c.u8();
          if (i >= st.size()) throw c.bad("DW_OP_pick " + i + " beyond the stack");
          push(st, st.stream().skip(i).findFirst().orElseThrow());
        }
        case 0x16 -> { Value t = pop(st, c); Value u = pop(st, c); push(st, t); push(st, u); } // swap
        case 0x17 -> { Value a = pop(st, c); Value s = pop(st, c); Value t = pop(st, c); push(st, a); push(st, t); push(st, s); } // rot
        case 0x06 -> push(st, new Deref(pop(st, c), 8));         // deref
        case 0x94 -> push(st, new Deref(pop(st, c), c.u8()));    // deref_size
        case 0x23 -> push(st, add(pop(st, c), c.uleb()));        // plus_uconst
        case 0x22 -> { Value t = pop(st, c); Value u = pop(st, c); push(st, plus(u, t)); } // plus
        case 0x1c -> { Value t = pop(st, c); Value u = pop(st, c); push(st, t instanceof Const k ? add(u, -k.value()) : new Op("minus", u, t)); } // minus
        case 0x19 -> push(st, new Op("abs", pop(st, c), null));
        case 0x1f -> push(st, new Op("neg", pop(st, c), null));
        case 0x20 -> push(st, new Op("not", pop(st, c), null));
        case 0x1a -> binary(st, c, "and");
        case 0x1b -> binary(st, c, "div");
        case 0x1d -> binary(st, c, "mod");
        case 0x1e -> binary(st, c, "mul");
        case 0x21 -> binary(st, c, "or");
        case 0x24 -> binary(st, c, "shl");
        case 0x25 -> binary(st, c, "shr");
        case 0x26 -> binary(st, c, "shra");
        case 0x27 -> binary(st, c, "xor");
        case 0x29 -> binary(st, c, "eq");
        case 0x2a -> binary(st, c, "ge");
        case 0x2b -> binary(st, c, "gt");
        case 0x2c -> binary(st, c, "le");
        case 0x2d -> binary(st, c, "lt");
        case 0x2e -> binary(st, c, "ne");
        case 0x92 -> { int r = (int) c.uleb(); push(st, new RegOffset(r, c.sleb())); } // bregx
        case 0x96 -> { }                                        // nop
        case 0x9c -> push(st, new Cfa(0));                       // call_frame_cfa
        case 0x2f, 0x28 -> { c.u16(); return new Opaque(op == 0x2f ? "DW_OP_skip" : "DW_OP_bra"); }
        default -> {
          if (op == 0x90 || op == 0x9f) return new Opaque("DW_OP_regx/stack_value");
          return new Opaque(String.format("DW_OP 0x%02x", op));
        }
      }
    }
    if (st.isEmpty()) throw c.bad("expression leaves an empty stack");
    return st.peek();
  }

  /** Pushes {@code v}; an operation on an {@link Opaque} value is that value, and a term too large is opaque. */
  private static void push(Deque<Value> st, Value v) {
    Value p = switch (v) {
      case Deref d -> d.address() instanceof Opaque o ? o : bounded(v);
      case Op o -> o.a() instanceof Opaque x ? x : o.b() instanceof Opaque y ? y : bounded(v);
      default -> v;
    };
    st.push(p);
  }

  /** {@code v}, or {@link Opaque} when its term is larger than {@link #MAX_TERM}. */
  private static Value bounded(Value v) {
    return nodes(v, MAX_TERM) > MAX_TERM ? new Opaque("term of more than " + MAX_TERM + " operations") : v;
  }

  /** The size of {@code v}'s term, counted up to just past {@code limit} (operands shared by several operations count for each). */
  private static int nodes(Value v, int limit) {
    if (limit <= 0) return 1;
    return switch (v) {
      case Deref d -> 1 + nodes(d.address(), limit - 1);
      case Op o -> {
        int n = 1 + nodes(o.a(), limit - 1);
        yield o.b() == null || n > limit ? n : n + nodes(o.b(), limit - n);
      }
      default -> 1;
    };
  }

  private static Deque<Value> need(Deque<Value> st, Cursor c) {
    if (st.isEmpty()) throw c.bad("expression pops an empty stack");
    return st;
  }

  private static Value pop(Deque<Value> st, Cursor c) {
    return need(st, c).pop();
  }

  private static void binary(Deque<Value> st, Cursor c, String name) {
    Value t = pop(st, c);
    Value u = pop(st, c);
    push(st, new Op(name, u, t));
  }

  private static Value plus(Value a, Value b) {
    if (b instanceof Const k) return add(a, k.value());
    if (a instanceof Const k) return add(b, k.value());
    return new Op("plus", a, b);
  }

  private static Value add(Value v, long k) {
    return switch (v) {
      case Const c -> new Const(c.value() + k);
      case RegOffset r -> new RegOffset(r.reg(), r.offset() + k);
      case Cfa f -> new Cfa(f.offset() + k);
      default -> k == 0 ? v : new Op("plus", v, new Const(k));
    };
  }
}
