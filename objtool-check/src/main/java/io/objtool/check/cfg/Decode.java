package io.objtool.check.cfg;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.DecodedInsn;
import io.objtool.api.arch.InsnDecoder;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.lang.foreign.MemorySegment;

/**
 * Decodes every executable section linearly and gives each instruction its symbol: the first CFG
 * step. A {@code ud2}/{@code ud1} is a dead end unless annotated otherwise.
 */
public final class Decode {
  /** Rule {@code enqcmd-instruction}: An ENQCMD instruction, which the kernel must not use. */
  public static final Rule ENQCMD_INSTRUCTION = Rule.warning("enqcmd-instruction", "An ENQCMD instruction, which the kernel must not use.");
  /** Rule {@code notrack-prefix}: An indirect call or jump with a `notrack` prefix. */
  public static final Rule NOTRACK_PREFIX = Rule.warning("notrack-prefix", "An indirect call or jump with a `notrack` prefix.");
  /** Rule {@code invalid-lea-encoding}: A LEA with a register operand, which is not a valid instruction. */
  public static final Rule INVALID_LEA_ENCODING = Rule.warning("invalid-lea-encoding", "A LEA with a register operand, which is not a valid instruction.");

  /** Rule {@code cannot-decode-instruction}: The decoder cannot decode bytes in an executable section. */
  public static final Rule CANNOT_DECODE_INSTRUCTION = Rule.error("cannot-decode-instruction", "The decoder cannot decode bytes in an executable section.");
  /** Rule {@code func-at-end-of-section}: A function symbol starts at the end of its section. */
  public static final Rule FUNC_AT_END_OF_SECTION = Rule.error("func-at-end-of-section", "A function symbol starts at the end of its section.");
  /** Rule {@code func-start-not-instruction}: A function symbol does not start on an instruction boundary. */
  public static final Rule FUNC_START_NOT_INSTRUCTION = Rule.error("func-start-not-instruction", "A function symbol does not start on an instruction boundary.");

  private Decode() {}

  public static void run(ObjtoolFile file) {
    InsnDecoder decoder = file.arch().newDecoder();
    DecodedInsn d = new DecodedInsn();
    int[] ops = new int[DecodedInsn.MAX_STACK_OPS * 6];
    for (Section sec : file.elf().sections()) {
      if (!sec.isExecutable() || sec.type() == Elf.SHT_NOBITS) continue;
      if (file.arch().isPlaceholderSection(sec)) continue;
      // the columns are sized by a first pass that only finds lengths (about 1.5x the full
      // decode's speed), so they are neither grown nor trimmed: no garbage the size of a section
      Model.beginInstructions(file, sec, decode(file, sec, true, decoder, d, ops));
      decode(file, sec, false, decoder, d, ops);
      Model.endInstructions(file);
      assignSymbols(file, sec);
    }
  }

  /**
   * Decodes {@code sec} linearly, skipping the architecture's data ranges, into the section's
   * instruction columns; with {@code countOnly}, only counts the instructions the decode will
   * find (lengths only, up to the first bytes that do not decode, where the decode stops with an
   * error). Returns the number of instructions.
   */
  private static int decode(ObjtoolFile file, Section sec, boolean countOnly, InsnDecoder decoder, DecodedInsn d, int[] ops) {
    MemorySegment code = sec.data();
    long size = code.byteSize();
    long[] data = file.arch().dataRanges(sec); // [start, end) pairs not decoded
    int count = 0;
    int nextData = 0;
    for (long off = 0; off < size; count++) {
      while (data != null && nextData < data.length && off >= data[nextData]) {
        off = Math.max(off, data[nextData + 1]);
        nextData += 2;
      }
      if (off >= size) break;
      if (countOnly) {
        int lt = decoder.lengthAndType(code, off, size, true);
        if (lt <= 0) break;
        off += lt & 0xff;
        continue;
      }
      boolean ok = decoder.decode(code, off, size, true, d) && d.ok();
      if (ok && d.opcodeMap() == 0 && d.opcode() == 0xcf && !inFunction(sec, off)) {
        ok = decoder.decode(code, off, size, false, d) && d.ok(); // IRET outside a function
      }
      if (!ok) {
        file.diag().warn(CANNOT_DECODE_INSTRUCTION, "can't decode instruction at " + sec.name() + ":0x" + Long.toHexString(off));
        throw new CfgException();
      }
      if ((d.flags() & REPORTED) != 0) report(file, sec, off, d);
      InsnType type = d.type();
      int n = d.stackOpCount();
      for (int i = 0; i < n; i++) {
        ops[i * 6] = d.destType(i).ordinal();
        ops[i * 6 + 1] = d.destReg(i);
        ops[i * 6 + 2] = d.destOffset(i);
        ops[i * 6 + 3] = d.srcType(i).ordinal();
        ops[i * 6 + 4] = d.srcReg(i);
        ops[i * 6 + 5] = d.srcOffset(i);
      }
      Model.addInstruction(file, (int) off, d.length(), type, d.immediate(),
          type == InsnType.BUG ? Instruction.DEAD_END : 0, ops, 0, n);
      off += d.length();
    }
    return count;
  }

  private static final int REPORTED = DecodedInsn.F_ENQCMD | DecodedInsn.F_NOTRACK | DecodedInsn.F_INVALID_LEA;

  /** What objtool's decoder says about an instruction and decodes anyway. */
  private static void report(ObjtoolFile file, Section sec, long off, DecodedInsn d) {
    if (d.has(DecodedInsn.F_ENQCMD)) {
      file.diag().warn(ENQCMD_INSTRUCTION, "ENQCMD instruction at " + sec.name() + ":" + Long.toHexString(off));
    }
    if (d.has(DecodedInsn.F_NOTRACK)) {
      file.diag().warn(NOTRACK_PREFIX, "notrack prefix found at " + sec.name() + ":0x" + Long.toHexString(off));
    }
    if (d.has(DecodedInsn.F_INVALID_LEA)) {
      file.diag().warn(INVALID_LEA_ENCODING, "invalid LEA encoding at " + sec.name() + ":0x" + Long.toHexString(off));
    }
  }

  /**
   * Whether the code at {@code off} lies in a function symbol. It matters only for IRET, which
   * objtool models as a stack adjustment inside functions (as in sync_core()).
   */
  private static boolean inFunction(Section sec, long off) {
    Symbol s = sec.symbols().containing(off);
    return s != null && s.type() == Elf.STT_FUNC;
  }

  /** Gives every instruction covered by a function or code symbol that symbol (later symbols win). */
  private static void assignSymbols(ObjtoolFile file, Section sec) {
    for (Symbol s : sec.symbols().all()) {
      if (s.type() != Elf.STT_NOTYPE && s.type() != Elf.STT_FUNC) continue;
      if (s.value() == sec.size()) {
        if (s.type() == Elf.STT_NOTYPE) continue; // an "end" label
        file.diag().warn(FUNC_AT_END_OF_SECTION, s.name() + "(): STT_FUNC at end of section");
        throw new CfgException();
      }
      Func f = file.func(s);
      if (f.alias() != f) continue;
      if (Funcs.isEmbeddedInsn(s)) continue; // its bytes are inside another instruction
      if (s.size() == 0 && s.type() == Elf.STT_NOTYPE) continue;
      if (file.insns().findInsn(sec, s.value()) == null) {
        file.diag().warn(FUNC_START_NOT_INSTRUCTION, s.name() + "(): can't find starting instruction");
        throw new CfgException();
      }
      for (Instruction insn : file.insns().symInsns(f)) Model.setSym(insn, f);
    }
  }
}
