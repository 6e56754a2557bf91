package io.objtool.elf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile objects cannot make the reader allocate far more than a proportion of their size or
 * run without bound: each is refused (or read) quickly, with the memory it allocated measured.
 */
class ResourceLimitsTest {
  /** A section for {@link #object}: name, type, data, link, info, entsize. */
  private record Sec(String name, int type, byte[] data, int link, int info, int entsize) { }

  /** A relocatable x86-64 object of {@code secs} (index 0, the null section, is added). */
  static byte[] object(List<Sec> secs) {
    ByteArrayOutputStream shstr = new ByteArrayOutputStream();
    shstr.write(0);
    List<Sec> all = new ArrayList<>(secs);
    all.add(new Sec(".shstrtab", Elf.SHT_STRTAB, null, 0, 0, 0));
    int[] nameOff = new int[all.size()];
    for (int i = 0; i < all.size(); i++) {
      nameOff[i] = shstr.size();
      shstr.writeBytes(all.get(i).name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      shstr.write(0);
    }
    byte[] shstrBytes = shstr.toByteArray();
    long off = Elf.EHDR_SIZE;
    long[] offs = new long[all.size()];
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < all.size(); i++) {
      byte[] d = all.get(i).data() == null ? shstrBytes : all.get(i).data();
      offs[i] = off + body.size();
      body.writeBytes(d);
      while (body.size() % 8 != 0) body.write(0);
    }
    long shoff = off + body.size();
    ByteBuffer b = ByteBuffer.allocate((int) shoff + (all.size() + 1) * Elf.SHDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x464c457f).put((byte) 2).put((byte) 1).put((byte) 1);
    b.position(16);
    b.putShort((short) Elf.ET_REL).putShort((short) 62).putInt(1).putLong(0).putLong(0).putLong(shoff).putInt(0)
        .putShort((short) 64).putShort((short) 0).putShort((short) 0).putShort((short) 64)
        .putShort((short) (all.size() + 1)).putShort((short) all.size());
    b.position(Elf.EHDR_SIZE);
    b.put(body.toByteArray());
    b.position((int) shoff + Elf.SHDR_SIZE); // section 0 stays zero
    for (int i = 0; i < all.size(); i++) {
      Sec s = all.get(i);
      long size = s.data() == null ? shstrBytes.length : s.data().length;
      b.putInt(nameOff[i]).putInt(s.type()).putLong(0).putLong(0).putLong(offs[i]).putLong(size)
          .putInt(s.link()).putInt(s.info()).putLong(1).putLong(s.entsize());
    }
    return b.array();
  }

  /** Bytes allocated by this thread while {@code r} runs. */
  private static long allocated(Runnable r) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = mx.getCurrentThreadAllocatedBytes();
    r.run();
    return mx.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void symbolsSharingOneLongNameAreRefusedBeforeTheyCostQuadraticMemory() {
    // 20,000 symbols, each naming the same 200 KB string: 4 GB of names if each were read
    int nsyms = 20_000;
    byte[] strtab = new byte[200_002];
    java.util.Arrays.fill(strtab, 1, 200_001, (byte) 'a');
    ByteBuffer sym = ByteBuffer.allocate(nsyms * Elf.SYM_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 1; i < nsyms; i++) {
      sym.position(i * Elf.SYM_SIZE);
      sym.putInt(1 + (i % 7)).put((byte) 0x12).put((byte) 0).putShort((short) 0);
    }
    byte[] obj = object(List.of(
        new Sec(".strtab", Elf.SHT_STRTAB, strtab, 0, 0, 0),
        new Sec(".symtab", Elf.SHT_SYMTAB, sym.array(), 1, 1, Elf.SYM_SIZE)));
    long[] bytes = new long[1];
    bytes[0] = allocated(() -> {
      MalformedElfException e = assertThrows(MalformedElfException.class, () -> ElfFile.parse(Path.of("names.o"), obj));
      assertTrue(e.getMessage().startsWith("names.o: symbol "), e.getMessage());
      assertTrue(e.getMessage().contains("more than 4 times the file"), e.getMessage());
    });
    assertTrue(bytes[0] < 16L * obj.length + (8 << 20), "allocated " + bytes[0] + " bytes for a " + obj.length + "-byte object");
  }

  @Test
  void aSectionCountPastTheFileIsRefusedBeforeAllocating() {
    byte[] obj = object(List.of(new Sec(".text", Elf.SHT_PROGBITS, new byte[16], 0, 0, 0)));
    ByteBuffer.wrap(obj).order(ByteOrder.LITTLE_ENDIAN).putShort(60, (short) 0xfff0);
    long bytes = allocated(() -> assertThrows(MalformedElfException.class, () -> ElfFile.parse(Path.of("many.o"), obj)));
    assertTrue(bytes < (1 << 20), "allocated " + bytes);
    // extended numbering: a section count of 2^40 in section 0's sh_size
    ByteBuffer b = ByteBuffer.wrap(obj).order(ByteOrder.LITTLE_ENDIAN);
    long shoff = b.getLong(40);
    b.putShort(60, (short) 0).putLong((int) shoff + 32, 1L << 40);
    MalformedElfException e = assertThrows(MalformedElfException.class, () -> ElfFile.parse(Path.of("many.o"), obj));
    assertTrue(e.getMessage().contains("extends past the end of the file"), e.getMessage());
  }

  @Test
  void sizesPastTheFileAreRefused() {
    byte[] obj = object(List.of(new Sec(".text", Elf.SHT_PROGBITS, new byte[16], 0, 0, 0)));
    ByteBuffer b = ByteBuffer.wrap(obj).order(ByteOrder.LITTLE_ENDIAN);
    long shoff = b.getLong(40);
    b.putLong((int) shoff + Elf.SHDR_SIZE + 32, Long.MAX_VALUE - 8); // .text's sh_size
    MalformedElfException e = assertThrows(MalformedElfException.class, () -> ElfFile.parse(Path.of("big.o"), obj));
    assertTrue(e.getMessage().startsWith("big.o: section 1 data (offset "), e.getMessage());
  }

  @Test
  void manySymbolsWithTheirOwnNamesAreRead() {
    // the limit is far above what real objects need: 50,000 distinct names read fine
    int nsyms = 50_000;
    ByteArrayOutputStream strs = new ByteArrayOutputStream();
    strs.write(0);
    ByteBuffer sym = ByteBuffer.allocate(nsyms * Elf.SYM_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 1; i < nsyms; i++) {
      sym.position(i * Elf.SYM_SIZE);
      sym.putInt(strs.size()).put((byte) 0x12).put((byte) 0).putShort((short) 0);
      strs.writeBytes(("a_rather_long_kernel_function_name_" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      strs.write(0);
    }
    byte[] obj = object(List.of(
        new Sec(".strtab", Elf.SHT_STRTAB, strs.toByteArray(), 0, 0, 0),
        new Sec(".symtab", Elf.SHT_SYMTAB, sym.array(), 1, 1, Elf.SYM_SIZE)));
    try (ElfFile elf = ElfFile.parse(Path.of("ok.o"), obj)) {
      assertTrue(elf.symbols().size() == nsyms);
    }
  }
}
