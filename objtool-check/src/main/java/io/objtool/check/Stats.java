package io.objtool.check;

import io.objtool.api.internal.Model;
import io.objtool.api.internal.Cfi;
import io.objtool.api.ObjtoolFile;
import io.objtool.check.cfg.Annotations;
import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Section;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The counters {@code --stats} prints, as the reference objtool names them: sizes of the object
 * (and of the hash tables the reference sizes from them), instructions decoded, jump-label sites,
 * instructions the walk visited, and how the CFI states of visited instructions were shared.
 *
 * <p>It also owns the object's table of distinct CFI states: an instruction whose state equals
 * the previous instruction's on the walk shares it ({@code nr_cfi_reused}), else the table gives
 * an equal state already seen ({@code nr_cfi_cache}) or keeps a new one ({@code nr_cfi}). The
 * table starts with the undefined state and a function entry's state, which are not counted.
 */
public final class Stats {
  private final Map<Cfi, Cfi> cfiTable = new HashMap<>();
  private final ObjectCounters object;
  /** -1 until the instructions are decoded. */
  long nrInsns = -1;
  /** Jump-label sites by kind, or null when the special sections were not read. */
  long[] jumpLabels;
  /** --ibt: ENDBRs at function starts, inside functions, and sealed; null without --ibt. */
  private int[] ibt;
  /** Whether the check got to its end (the last counters are printed only then). */
  boolean completed;
  /** Reading the symbols failed: the reference had not read the relocations yet. */
  private boolean symbolsFailed;
  private long insnsVisited;
  private long cfi;
  private long cfiReused;
  private long cfiCache;

  /** Made at the start of the check, when the object is still as it was read. */
  private Stats(ObjtoolFile file) {
    object = ObjectCounters.of(file.elf());
    Cfi undefined = new Cfi(file.arch().cfiRegCount());
    cfiTable.put(undefined, undefined);
    Cfi func = Annotations.funcCfi(file);
    cfiTable.put(func, func);
  }

  /** What the reference counts as soon as it has read an object: sections, symbols, relocations. */
  private record ObjectCounters(int nrSections, int nrSymbols, long maxReloc, long numRelocs) {
    static ObjectCounters of(ElfFile elf) {
      long max = 0;
      long total = 0;
      for (Section s : elf.sections()) {
        if (s.type() != Elf.SHT_RELA) continue;
        long n = s.size() / Elf.RELA_SIZE;
        max = Math.max(max, n);
        total += n;
      }
      return new ObjectCounters(elf.sections().size(), elf.symbols().size(), max, total);
    }

    /** Appends the counters; only those of the symbol table when its reading failed. */
    void appendTo(StringBuilder b, boolean symbolsFailed) {
      b.append("nr_sections: ").append(nrSections).append('\n');
      b.append("section_bits: ").append(bits(nrSections)).append('\n');
      b.append("nr_symbols: ").append(nrSymbols).append('\n');
      b.append("symbol_bits: ").append(bits(nrSymbols)).append('\n');
      if (symbolsFailed) return;
      b.append("max_reloc: ").append(maxReloc).append('\n');
      b.append("num_relocs: ").append(numRelocs).append('\n');
      b.append("reloc_bits: ").append(bits(numRelocs)).append('\n');
    }
  }

  /**
   * Prints the counters of an object that was read but not checked (the options were found
   * wanting after the object was opened), as the reference prints them then.
   */
  public static void printObject(ElfFile elf, PrintStream out) {
    StringBuilder b = new StringBuilder();
    ObjectCounters.of(elf).appendTo(b, false);
    out.print(b);
    out.flush();
  }

  /** The object's counters (made on first use). */
  public static Stats of(ObjtoolFile file) {
    Stats s = Model.attachment(file, Stats.class);
    if (s == null) {
      s = new Stats(file);
      Model.attach(file, Stats.class, s);
    }
    return s;
  }

  /** The shared copy of {@code state} from the table, added (and counted) when new. */
  public Cfi findOrAdd(Cfi state) {
    Cfi c = cfiTable.get(state);
    if (c != null) {
      cfiCache++;
      return c;
    }
    c = new Cfi(state);
    cfiTable.put(c, c);
    cfi++;
    return c;
  }

  /** The symbols could not be read (a cold part without its parent): printing stops after them. */
  public void symbolsFailed() {
    symbolsFailed = true;
  }

  /** The ENDBR counts of --ibt: at function starts, inside functions, and superfluous (sealed). */
  public void ibt(int atStart, int inside, int superfluous) {
    ibt = new int[] {atStart, inside, superfluous};
  }

  /** An instruction took the previous one's CFI state. */
  public void cfiReused() {
    cfiReused++;
  }

  /** The walk reached an instruction for the first time. */
  public void insnVisited() {
    insnsVisited++;
  }

  /** Counts a jump-label site: a NOP or a JMP, of two bytes ("short") or more ("long"). */
  public void jumpLabel(boolean nop, int length) {
    if (jumpLabels == null) jumpLabels = new long[4];
    jumpLabels[(nop ? 0 : 1) + (length == 2 ? 0 : 2)]++;
  }

  /** The special sections were read: the jump-label table is printed even when empty. */
  public void specialSectionsRead() {
    if (jumpLabels == null) jumpLabels = new long[4];
  }

  /** log2 of a hash table's size, as the reference sizes them: at least 10 bits. */
  private static int bits(long n) {
    return Math.max(10, n <= 0 ? 0 : 63 - Long.numberOfLeadingZeros(n));
  }

  /** Prints what the check got to, in the reference's order and format. */
  public void print(PrintStream out) {
    StringBuilder b = new StringBuilder();
    object.appendTo(b, symbolsFailed);
    if (symbolsFailed) {
      out.print(b);
      out.flush();
      return;
    }
    b.append("cfi_bits: ").append(Math.max(10, bits(object.nrSymbols()) - 3)).append('\n');
    if (nrInsns >= 0) b.append("nr_insns: ").append(nrInsns).append('\n');
    if (jumpLabels != null) {
      b.append("jl\\\tNOP\tJMP\n");
      b.append("short:\t").append(jumpLabels[0]).append('\t').append(jumpLabels[1]).append('\n');
      b.append("long:\t").append(jumpLabels[2]).append('\t').append(jumpLabels[3]).append('\n');
    }
    if (ibt != null) {
      b.append("ibt: ENDBR at function start: ").append(ibt[0]).append('\n');
      b.append("ibt: ENDBR inside functions:  ").append(ibt[1]).append('\n');
      b.append("ibt: superfluous ENDBR:       ").append(ibt[2]).append('\n');
    }
    if (completed) {
      b.append("nr_insns_visited: ").append(insnsVisited).append('\n');
      b.append("nr_cfi: ").append(cfi).append('\n');
      b.append("nr_cfi_reused: ").append(cfiReused).append('\n');
      b.append("nr_cfi_cache: ").append(cfiCache).append('\n');
    }
    out.print(b);
    out.flush();
  }
}
