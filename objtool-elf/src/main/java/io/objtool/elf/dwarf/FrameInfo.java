package io.objtool.elf.dwarf;

import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The DWARF call frame information of an object: the CIEs and FDEs of its {@code .eh_frame} and
 * {@code .debug_frame}. FDE addresses are resolved through the sections' relocations
 * ({@code .rela.eh_frame}, {@code .rela.debug_frame}), so each {@link Fde} of a relocatable
 * object names the code section and offset it describes. A malformed section raises
 * {@link io.objtool.elf.MalformedElfException} naming the file, section and offset (so does a
 * malformed CFA program, when {@link Fde#rows()} runs it).
 */
public final class FrameInfo {
  /** {@code DW_EH_PE_omit}: no value. */
  static final int PE_OMIT = 0xff;

  private final List<Cie> cies;
  private final List<Fde> fdes;

  private FrameInfo(List<Cie> cies, List<Fde> fdes) {
    this.cies = Collections.unmodifiableList(cies);
    this.fdes = Collections.unmodifiableList(fdes);
  }

  /** Reads {@code .eh_frame} and {@code .debug_frame} of {@code elf} (either may be absent). */
  public static FrameInfo read(ElfFile elf) {
    List<Cie> cies = new ArrayList<>();
    List<Fde> fdes = new ArrayList<>();
    for (Section s : elf.sections()) {
      boolean eh = s.name().equals(".eh_frame");
      if (!eh && !s.name().equals(".debug_frame")) continue;
      if (s.type() == Elf.SHT_NOBITS) continue;
      new SectionReader(elf, s, eh, cies, fdes).read();
    }
    return new FrameInfo(cies, fdes);
  }

  /** All CIEs, in section order. */
  public List<Cie> cies() { return cies; }

  /** All FDEs, in section order ({@code .eh_frame}'s and {@code .debug_frame}'s). */
  public List<Fde> fdes() { return fdes; }

  /** The FDEs of one frame section ({@code ".eh_frame"} or {@code ".debug_frame"}). */
  public List<Fde> fdes(String frameSection) {
    return fdes.stream().filter(f -> f.section().name().equals(frameSection)).toList();
  }

  /** Reads a pointer in {@code encoding}'s format (the application bits are the caller's). */
  static long readEncoded(Cursor c, int encoding, int addressSize) {
    return switch (encoding & 0x0f) {
      case 0x00 -> addressSize == 4 ? c.u32() : c.s64();
      case 0x01 -> c.uleb();
      case 0x02 -> c.u16();
      case 0x03 -> c.u32();
      case 0x04, 0x0c -> c.s64();
      case 0x09 -> c.sleb();
      case 0x0a -> (short) c.u16();
      case 0x0b -> (int) c.u32();
      default -> throw c.bad(String.format("unknown pointer encoding 0x%02x", encoding));
    };
  }

  /** Reads one frame section. */
  private static final class SectionReader {
    private final ElfFile elf;
    private final Section sec;
    private final boolean eh;
    private final byte[] data;
    private final String where;
    private final Relocations rel;
    private final Map<Long, Cie> cieAt = new HashMap<>();
    private final Map<Long, CfaProgram.Initial> initialAt = new HashMap<>();
    private final List<Cie> cies;
    private final List<Fde> fdes;

    SectionReader(ElfFile elf, Section sec, boolean eh, List<Cie> cies, List<Fde> fdes) {
      this.elf = elf;
      this.sec = sec;
      this.eh = eh;
      this.data = sec.data().toArray(ValueLayout.JAVA_BYTE);
      this.where = sec.name();
      this.rel = sec.relocations();
      this.cies = cies;
      this.fdes = fdes;
    }

    void read() {
      Cursor c = new Cursor(data, elf.path(), where);
      while (c.more()) {
        int start = c.pos;
        Entry e = entry(c, start);
        if (e == null) continue; // a zero terminator
        if (e.isCie) {
          cie(start);
        } else {
          fdes.add(fde(e, start));
        }
        c.pos = e.end;
      }
    }

    private record Entry(boolean isCie, long id, int idPos, int bodyPos, int end, boolean dwarf64) { }

    private Entry entry(Cursor c, int start) {
      long len = c.u32();
      if (len == 0) {
        if (eh) return null;
        throw c.bad("zero-length entry at offset 0x" + Integer.toHexString(start));
      }
      boolean d64 = false;
      if (len == 0xffffffffL) {
        len = c.s64();
        d64 = true;
      }
      if (len < 0 || len > data.length - c.pos) {
        throw c.bad("entry at offset 0x" + Integer.toHexString(start) + " has length 0x" + Long.toHexString(len) + " past the section's end");
      }
      int end = c.pos + (int) len;
      int idPos = c.pos;
      long id = d64 ? c.s64() : c.u32();
      boolean isCie = eh ? id == 0 : (d64 ? id == -1L : id == 0xffffffffL);
      return new Entry(isCie, id, idPos, c.pos, end, d64);
    }

    private Cie cie(long at) {
      Cie known = cieAt.get(at);
      if (known != null) return known;
      if (at < 0 || at >= data.length) throw new Cursor(data, elf.path(), where).bad("CIE pointer 0x" + Long.toHexString(at) + " outside the section");
      Cursor c = new Cursor(data, (int) at, data.length, elf.path(), where);
      Entry e = entry(c, (int) at);
      if (e == null || !e.isCie) throw c.bad("no CIE at offset 0x" + Long.toHexString(at));
      c.end = e.end;
      int version = c.u8();
      if (version != 1 && version != 3 && version != 4) throw c.bad("CIE at 0x" + Long.toHexString(at) + ": unsupported version " + version);
      String aug = c.cstring();
      int addressSize = 8;
      if (aug.contains("eh")) c.s64();
      if (version >= 4) {
        addressSize = c.u8();
        c.u8(); // segment selector size
        if (addressSize != 4 && addressSize != 8) throw c.bad("CIE at 0x" + Long.toHexString(at) + ": address size " + addressSize);
      }
      long codeAlign = c.uleb();
      long dataAlign = c.sleb();
      int ra = version == 1 ? c.u8() : (int) c.uleb();
      int fdeEnc = 0; // absptr unless 'R' says otherwise
      int lsdaEnc = PE_OMIT;
      boolean signal = false;
      if (aug.startsWith("z")) {
        long augLen = c.uleb();
        if (augLen < 0 || augLen > c.end - c.pos) throw c.bad("CIE at 0x" + Long.toHexString(at) + ": augmentation data past its end");
        int augEnd = c.pos + (int) augLen;
        for (int i = 1; i < aug.length(); i++) {
          char ch = aug.charAt(i);
          if (ch == 'R') {
            fdeEnc = c.u8();
          } else if (ch == 'P') {
            int penc = c.u8();
            if ((penc & 0x70) == 0x50) c.pos = (c.pos + addressSize - 1) & -addressSize; // DW_EH_PE_aligned
            readEncoded(c, penc, addressSize);
          } else if (ch == 'L') {
            lsdaEnc = c.u8();
          } else if (ch == 'S') {
            signal = true;
          } else if (ch != 'B' && ch != 'G') {
            break; // unknown: the length lets us skip the rest
          }
        }
        c.pos = augEnd;
      }
      byte[] insns = c.bytes(c.end - c.pos);
      Cie cie = new Cie(sec, at, version, aug, codeAlign, dataAlign, ra, fdeEnc, lsdaEnc, signal, addressSize, insns);
      cieAt.put(at, cie);
      initialAt.put(at, new CfaProgram.Initial(cie, elf.path()));
      cies.add(cie);
      return cie;
    }

    private Fde fde(Entry e, int start) {
      long ciePos = eh ? e.idPos - e.id : e.id;
      Cie cie = cie(ciePos);
      Cursor c = new Cursor(data, e.bodyPos, e.end, elf.path(), where);
      int enc = eh ? cie.fdeEncoding() : 0;
      int fieldPos = c.pos;
      long value = readEncoded(c, enc, cie.addressSize());
      Section target = null;
      long loc = value;
      int r = rel == null ? -1 : rel.at(fieldPos);
      if (r >= 0) {
        Symbol sym = rel.symbol(r);
        target = sym.section();
        loc = sym.value() + rel.addend(r);
      } else if ((enc & 0x70) == 0x10) {
        loc = value + sec.addr() + fieldPos; // pc-relative, no relocation: a linked image
      }
      long length = readEncoded(c, enc & 0x0f, cie.addressSize());
      if (cie.hasAugmentationData()) {
        long augLen = c.uleb();
        c.bytes(augLen);
      }
      byte[] insns = c.bytes(c.end - c.pos);
      return new Fde(sec, start, cie, initialAt.get(cie.offset()), target, loc, length, insns);
    }
  }
}
