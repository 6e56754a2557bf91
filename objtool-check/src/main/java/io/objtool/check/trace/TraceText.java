package io.objtool.check.trace;

import io.objtool.api.Instruction;
import io.objtool.api.Warning;
import io.objtool.elf.Section;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;

/**
 * The text of {@code --trace}, printed to stderr after the warnings: per traced walk a heading,
 * then one line per step, indented by how many branches and alternatives deep the walk is. An
 * instruction's line is its location ({@code func+off} and {@code section+off}), bytes,
 * disassembly and the state after it; the other lines say what the walk did there (a jump taken
 * or not, an alternative entered or left, paths meeting and whether their states agree, an unwind
 * hint applied) and end with the warning and the two states that disagreed.
 */
public final class TraceText {
  private final Disassembly disas;
  private final PrintStream out;
  /** The object's architecture: how the states name registers. */
  private final io.objtool.api.arch.Arch arch;

  private TraceText(Disassembly disas, PrintStream out, io.objtool.api.arch.Arch arch) {
    this.disas = disas;
    this.out = out;
    this.arch = arch;
  }

  /** Prints {@code traces} to {@code out}, with the instructions' text from {@code disas}. */
  public static void print(Traces traces, Disassembly disas, PrintStream out) {
    new TraceText(disas, out, traces.arch()).print(traces);
  }

  private void print(Traces traces) {
    if (traces.walks().isEmpty() && traces.outside().isEmpty()) {
      out.println("objtool: trace: no function walked matches '" + traces.glob() + "'");
      out.flush();
      return;
    }
    if (disas.problem() != null) out.println("objtool: trace: no disassembly (" + disas.problem() + ")");
    for (Trace t : traces.walks()) {
      Instruction s = t.start();
      out.println("objtool: trace: " + (t.how() == io.objtool.api.BranchVisitor.PathStep.HINT
          ? "walk from the unwind hint at " + where(s) : (t.func() == null ? "?" : t.func().name()) + ": walk from " + where(s))
          + " (" + secOff(s) + ")");
      for (Trace.Step st : t.steps()) line(st);
    }
    for (Warning w : traces.outside()) {
      out.println("objtool: trace: " + (w.function() != null ? w.function() : w.section() != null ? w.section() : "the object")
          + ": no path of the walk leads to this warning:");
      out.println("  warning: " + w.line());
    }
    out.flush();
  }

  private void line(Trace.Step st) {
    String pad = "  ".repeat(st.depth() + 1);
    Instruction insn = st.insn();
    switch (st.kind()) {
      case INSN, INSN_STOPPED -> {
        String text = disas.text(insn);
        String loc = where(insn) + " " + secOff(insn);
        StringBuilder b = new StringBuilder(pad).append(pad(loc, 34)).append(pad(bytes(insn), 24))
            .append(pad(text == null ? "" : text, 36)).append(' ');
        if (st.kind() == Trace.Kind.INSN_STOPPED) b.append("(before it) ");
        b.append(Trace.describe(arch, st.state()));
        out.println(b.toString().stripTrailing());
      }
      case BRANCH_TAKEN -> out.println(pad + "  -> " + where(insn) + ": jump taken to "
          + (insn.jumpDest() == null ? "?" : where(insn.jumpDest())));
      case BRANCH_NOT_TAKEN -> out.println(pad + "  <- " + where(insn) + ": jump not taken, on after it: " + Trace.describe(arch, st.state()));
      case ALT_ENTER -> out.println(pad + "  -> " + where(insn) + ": alternative " + st.altIndex() + " entered at "
          + where(st.alt().insn()) + " (" + secOff(st.alt().insn()) + ")" + (st.alt().skipOrig() ? ", replacing the instruction" : "")
          + ": " + Trace.describe(arch, st.state()));
      case ALT_LEAVE -> out.println(pad + "  <- " + where(insn) + ": alternative " + st.altIndex() + " left");
      case MERGE -> {
        if (st.expected() == null) {
          out.println(pad + "  == " + where(insn) + ": paths meet at an unwind hint (states not compared)");
        } else if (st.text() == null) {
          out.println(pad + "  == " + where(insn) + ": paths meet, states agree: " + Trace.describe(arch, st.state()));
        } else {
          out.println(pad + "  != " + where(insn) + ": paths meet, states differ (" + st.text() + ")");
          out.println(pad + "       this path:     " + Trace.describe(arch, st.state()));
          out.println(pad + "       walked before: " + Trace.describe(arch, st.expected()));
        }
      }
      case HINT -> out.println(pad + "  hint " + where(insn) + ": unwind hint applied: " + Trace.describe(arch, st.state()));
      case WARNING -> {
        out.println(pad + "  warning: " + st.warning().line());
        if (st.state() != null) out.println(pad + "       state here:     " + Trace.describe(arch, st.state()));
        if (st.expected() != null) out.println(pad + "       state expected: " + Trace.describe(arch, st.expected()));
      }
    }
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  /** {@code func+0xoff}, or {@code section+0xoff} outside any symbol. */
  static String where(Instruction insn) {
    if (insn.sym() != null) return insn.sym().name() + "+0x" + Long.toHexString(insn.offset() - insn.sym().offset());
    return secOff(insn);
  }

  static String secOff(Instruction insn) {
    return insn.section().name() + "+0x" + Long.toHexString(insn.offset());
  }

  /** The instruction's bytes in hex, from its section. */
  static String bytes(Instruction insn) {
    Section sec = insn.section();
    StringBuilder b = new StringBuilder();
    try {
      var data = sec.data();
      for (int i = 0; i < insn.length(); i++) {
        if (i > 0) b.append(' ');
        int v = data.get(ValueLayout.JAVA_BYTE, insn.offset() + i) & 0xff;
        b.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
      }
    } catch (RuntimeException e) {
      return "?";
    }
    return b.toString();
  }
}
