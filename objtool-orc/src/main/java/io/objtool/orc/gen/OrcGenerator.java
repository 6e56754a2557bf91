package io.objtool.orc.gen;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.AltGroup;
import io.objtool.api.CfiState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.UnwindHint;
import io.objtool.api.arch.CfiRegs;
import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import io.objtool.orc.Arm64OrcReg;
import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code --orc}: turns the CFI the engine recorded at every instruction into ORC entries, one per
 * change of state, with alternatives merged byte by byte and a terminator at the end of each code
 * section, and writes {@code .orc_unwind}, {@code .orc_unwind_ip} and its relocations. On arm64
 * the entries follow the 2022 arm64 series ({@link Arm64OrcReg}, {@code R_AARCH64_PREL32}).
 */
@AutoService(Pass.class)
public final class OrcGenerator implements Pass {
  /** Rule {@code orc-unknown-hint-type}: A stack state of a frame type ORC cannot encode (`--orc`). */
  public static final Rule ORC_UNKNOWN_HINT_TYPE = Rule.error("orc-unknown-hint-type", "A stack state of a frame type ORC cannot encode (`--orc`).");
  /** Rule {@code orc-unknown-cfa-base}: A CFA based on a register ORC cannot encode (`--orc`). */
  public static final Rule ORC_UNKNOWN_CFA_BASE = Rule.error("orc-unknown-cfa-base", "A CFA based on a register ORC cannot encode (`--orc`).");
  /** Rule {@code orc-unknown-bp-base}: %rbp saved in a way ORC cannot encode (`--orc`). */
  public static final Rule ORC_UNKNOWN_BP_BASE = Rule.error("orc-unknown-bp-base", "%rbp saved in a way ORC cannot encode (`--orc`).");

  /** The format given at construction, or null: the one {@value OrcFormat#ENV} of the run's environment names. */
  private final OrcFormat fixed;

  /** The generator found as a service: the format comes from the run's environment ({@link Options#env}). */
  public OrcGenerator() {
    this(null);
  }

  /** A generator writing {@code format}. */
  public OrcGenerator(OrcFormat format) {
    this.fixed = format;
  }

  @Override
  public String option() {
    return "orc";
  }

  @Override
  public String help() {
    return "generate ORC metadata";
  }

  @Override
  public boolean enabled(Options options) {
    return options.orc();
  }

  @Override
  public int order() {
    return 1000;
  }

  /** Code sections that get ORC: executable, and not alternative replacements or discarded. */
  static boolean isText(Section s) {
    String n = s.name();
    return s.isExecutable() && !n.equals(".altinstr_replacement") && !n.equals(".altinstr_aux") && !n.startsWith(".discard.");
  }

  /**
   * The entries being built, columnar: each 6-byte ORC entry (packed in a long) and the offset in
   * its section where it applies, in chunks that double in size as the table grows (nothing is
   * copied), and the runs of consecutive entries of one section.
   */
  static final class Table {
    /** The size of chunk 0 and of chunk 1; chunk {@code c > 0} holds {@code FIRST << (c - 1)} entries. */
    private static final int FIRST_SHIFT = 10;
    int count;
    private long[][] entries = new long[8][];
    private long[][] offs = new long[8][];
    /** Run {@code r}: entries {@code [runStart[r], runStart[r + 1])} (the last up to {@code count}) are in {@code runSec[r]}. */
    private Section[] runSec = new Section[8];
    private int[] runStart = new int[8];
    private int runs;

    /** The chunk of entry {@code i}. */
    private static int chunk(int i) {
      return 32 - Integer.numberOfLeadingZeros(i >>> FIRST_SHIFT);
    }

    /** The index of chunk {@code c}'s first entry. */
    private static int chunkStart(int c) {
      return c == 0 ? 0 : 1 << (FIRST_SHIFT + c - 1);
    }

    void add(long e, Section sec, long off) {
      int i = count;
      int c = chunk(i);
      int k = i - chunkStart(c);
      if (k == 0) {
        if (c == entries.length) {
          entries = java.util.Arrays.copyOf(entries, c * 2);
          offs = java.util.Arrays.copyOf(offs, c * 2);
        }
        int size = c == 0 ? 1 << FIRST_SHIFT : 1 << (FIRST_SHIFT + c - 1);
        entries[c] = new long[size];
        offs[c] = new long[size];
      }
      entries[c][k] = e;
      offs[c][k] = off;
      if (runs == 0 || runSec[runs - 1] != sec) {
        if (runs == runSec.length) {
          runSec = java.util.Arrays.copyOf(runSec, runs * 2);
          runStart = java.util.Arrays.copyOf(runStart, runs * 2);
        }
        runSec[runs] = sec;
        runStart[runs] = i;
        runs++;
      }
      count = i + 1;
    }

    long entry(int i) {
      int c = chunk(i);
      return entries[c][i - chunkStart(c)];
    }

    long offset(int i) {
      int c = chunk(i);
      return offs[c][i - chunkStart(c)];
    }

    int runs() {
      return runs;
    }

    Section runSection(int r) {
      return runSec[r];
    }

    int runStart(int r) {
      return runStart[r];
    }

    int runEnd(int r) {
      return r + 1 < runs ? runStart[r + 1] : count;
    }
  }

  /** Thrown when an entry cannot be made; the warning was reported. */
  private static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed() {
      super(null, null, false, false);
    }
  }

  @Override
  public void finish(ObjtoolFile file, int warnings) {
    if (file.nrInsns() == 0) return;
    OrcFormat format = fixed != null ? fixed : OrcFormat.parse(file.options().env(OrcFormat.ENV));
    Table t = new Table();
    try {
      for (Section sec : file.elf().sections()) {
        if (!isText(sec) || !file.insns().hasInstructions(sec)) continue;
        long prev = 0; // the all-zero entry
        CfiState lastCfi = null;
        long lastEntry = 0;
        boolean empty = true;
        java.util.List<Instruction> insns = file.insns().instructions(sec);
        for (int i = 0; i < insns.size(); i++) {
          Instruction insn = insns.get(i);
          AltGroup g = insn.altGroup();
          if (g == null) {
            CfiState cfi = insn.cfi();
            long e;
            if (cfi != null && cfi == lastCfi) {
              e = lastEntry; // interned states: same object, same entry
            } else {
              e = entry(file, format, cfi, insn);
              lastCfi = cfi;
              lastEntry = e;
            }
            if (e == prev) continue;
            t.add(e, sec, insn.offset());
            prev = e;
            empty = false;
            continue;
          }
          int len = g.length();
          for (int k = 0; k < len; k++) {
            CfiState cfi = g.cfiAt(k);
            if (cfi == null) continue;
            long e;
            if (cfi == lastCfi) {
              e = lastEntry;
            } else {
              e = entry(file, format, cfi, insn);
              lastCfi = cfi;
              lastEntry = e;
            }
            if (e == prev) continue;
            t.add(e, sec, insn.offset() + k);
            prev = e;
            empty = false;
          }
          i = g.lastInsn().index();
        }
        if (!empty) t.add(0, sec, sec.size());
      }
    } catch (Failed f) {
      io.objtool.api.internal.Model.stopCheck(file);
      return;
    }
    write(file, t);
  }

  /**
   * An entry packed as {@code sp_offset | bp_offset << 16 | flags << 32} (the 6 bytes in order),
   * from its parts: as {@link OrcEntry#of}, without the object.
   */
  private static long packed(OrcFormat format, OrcType type, OrcReg sp, short spOffset, OrcReg bp, short bpOffset, boolean signal) {
    return packed(spOffset, bpOffset, format.pack(type, sp, bp, signal));
  }

  private static long packed(int spOffset, int bpOffset, int flags) {
    return (spOffset & 0xffffL) | (bpOffset & 0xffffL) << 16 | (flags & 0xffffL) << 32;
  }

  /** {@link OrcEntry#undefined}, packed. */
  private static long undefined(OrcFormat format) {
    return packed(format, OrcType.UNDEFINED, OrcReg.UNDEFINED, (short) 0, OrcReg.UNDEFINED, (short) 0, false);
  }

  private long entry(ObjtoolFile file, OrcFormat format, CfiState cfi, Instruction insn) {
    if (file.elf().machine() == Elf.EM_AARCH64) return arm64Entry(file, cfi);
    if (cfi == null) return undefined(format);
    OrcType type;
    switch (cfi.type()) {
      case UnwindHint.TYPE_UNDEFINED -> {
        return undefined(format);
      }
      case UnwindHint.TYPE_END_OF_STACK -> {
        return packed(format, OrcType.END_OF_STACK, OrcReg.UNDEFINED, (short) 0, OrcReg.UNDEFINED, (short) 0, false);
      }
      case UnwindHint.TYPE_CALL -> type = OrcType.CALL;
      case UnwindHint.TYPE_REGS -> type = OrcType.REGS;
      case UnwindHint.TYPE_REGS_PARTIAL -> type = OrcType.REGS_PARTIAL;
      default -> {
        file.diag().warnInsn(insn, ORC_UNKNOWN_HINT_TYPE, "unknown unwind hint type " + cfi.type());
        throw new Failed();
      }
    }
    OrcReg sp = switch (cfi.cfaBase()) {
      case CfiRegs.SP -> OrcReg.SP;
      case CfiRegs.SP_INDIRECT -> OrcReg.SP_INDIRECT;
      case CfiRegs.BP -> OrcReg.BP;
      case CfiRegs.BP_INDIRECT -> OrcReg.BP_INDIRECT;
      case CfiRegs.R10 -> OrcReg.R10;
      case CfiRegs.R13 -> OrcReg.R13;
      case CfiRegs.RDI -> OrcReg.DI;
      case CfiRegs.RDX -> OrcReg.DX;
      default -> null;
    };
    if (sp == null) {
      file.diag().warnInsn(insn, ORC_UNKNOWN_CFA_BASE, "unknown CFA base reg " + cfi.cfaBase());
      throw new Failed();
    }
    int bpBase = cfi.regBase(CfiRegs.BP);
    OrcReg bp = switch (bpBase) {
      case CfiRegs.UNDEFINED -> OrcReg.UNDEFINED;
      case CfiRegs.CFA -> OrcReg.PREV_SP;
      case CfiRegs.BP -> OrcReg.BP;
      default -> null;
    };
    if (bp == null) {
      file.diag().warnInsn(insn, ORC_UNKNOWN_BP_BASE, "unknown BP base reg " + bpBase);
      throw new Failed();
    }
    // offsets beyond 16 bits (a frame over 32 KiB) are truncated to the field, as objtool stores them
    return packed(format, type, sp, (short) cfi.cfaOffset(), bp, (short) cfi.regOffset(CfiRegs.BP), cfi.signal());
  }

  /**
   * An arm64 entry in the series' semantics: cfa = sp or x29 plus the sp offset, the caller's x29
   * at the cfa plus the fp offset (or still in x29); all zero where the frame pointer is not
   * reliable (the cfa unknown, x29 saved somewhere else, x29 used as a scratch register while
   * the caller's value is not saved, or an offset beyond the entry's 16 bits: a frame over 32 KiB).
   */
  static long arm64Entry(ObjtoolFile file, CfiState cfi) {
    if (cfi == null) return 0;
    OrcType type;
    switch (cfi.type()) {
      case UnwindHint.TYPE_CALL -> type = OrcType.CALL;
      case UnwindHint.TYPE_END_OF_STACK -> {
        return packed(0, 0, OrcFormat.packArm64(OrcType.END_OF_STACK, Arm64OrcReg.UNDEFINED, Arm64OrcReg.UNDEFINED, false));
      }
      default -> {
        return 0;
      }
    }
    int spReg = file.arch().stackPointerReg();
    int fpReg = file.arch().framePointerReg();
    Arm64OrcReg sp;
    if (cfi.cfaBase() == spReg) sp = Arm64OrcReg.SP;
    else if (cfi.cfaBase() == fpReg) sp = Arm64OrcReg.FP;
    else return 0;
    Arm64OrcReg fp;
    int fpBase = cfi.regBase(fpReg);
    if (cfi.bpScratch()) return 0;
    if (fpBase == CfiRegs.UNDEFINED) fp = Arm64OrcReg.UNDEFINED;
    else if (fpBase == CfiRegs.CFA) fp = Arm64OrcReg.PREV_SP;
    else return 0;
    int spOffset = cfi.cfaOffset();
    int fpOffset = fp == Arm64OrcReg.UNDEFINED ? 0 : cfi.regOffset(fpReg);
    // a frame over 32 KiB does not fit the entry's 16-bit offsets: not reliable, rather than wrong
    if (spOffset != (short) spOffset || fpOffset != (short) fpOffset) return 0;
    return packed(spOffset, fpOffset, OrcFormat.packArm64(type, sp, fp, cfi.signal()));
  }

  private void write(ObjtoolFile file, Table t) {
    ElfFile elf = file.elf();
    if (elf.section(".orc_unwind") != null) {
      file.diag().warn(io.objtool.api.Diagnostics.SECTION_ALREADY_EXISTS, "file already has .orc_unwind section, skipping");
      return;
    }
    int n = t.count;
    byte[] bytes = new byte[n * 6];
    for (int i = 0; i < n; i++) {
      long e = t.entry(i);
      for (int b = 0; b < 6; b++) bytes[i * 6 + b] = (byte) (e >>> (8 * b));
    }
    Section unwind = ElfEdit.addSection(elf, ".orc_unwind", Elf.SHT_PROGBITS, Elf.SHF_ALLOC, 6, 1, bytes);
    Section ip = ElfEdit.addSection(elf, ".orc_unwind_ip", Elf.SHT_PROGBITS, Elf.SHF_ALLOC, 4, 1, new byte[n * 4]);
    Relocations rel = ElfEdit.relocationsFor(elf, ip);
    ElfEdit.reserveRelocs(rel, n);
    int relocType = elf.machine() == Elf.EM_AARCH64 ? Elf.R_AARCH64_PREL32 : Elf.R_X86_64_PC32;
    Map<Section, Symbol> secSyms = new HashMap<>();
    for (Symbol s : elf.symbols()) {
      if (s.isSectionSymbol() && s.section() != null) secSyms.putIfAbsent(s.section(), s);
    }
    for (int r = 0; r < t.runs(); r++) {
      Section sec = t.runSection(r);
      Symbol sym = secSyms.get(sec);
      if (sym == null) {
        sym = ElfEdit.sectionSymbol(elf, sec);
        secSyms.put(sec, sym);
      }
      for (int i = t.runStart(r), end = t.runEnd(r); i < end; i++) {
        ElfEdit.addReloc(rel, (long) i * 4, relocType, sym, t.offset(i));
      }
    }
    if (unwind.size() != (long) n * 6) throw new IllegalStateException();
    Model.markChanged(file);
  }
}
