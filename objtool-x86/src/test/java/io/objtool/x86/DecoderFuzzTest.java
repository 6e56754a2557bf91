package io.objtool.x86;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.objtool.api.arch.DecodedInsn;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/**
 * Fuzz target: the x86-64 decoder on 1 to 15 arbitrary bytes, in and out of a function. It never
 * throws; a decoded instruction is 1 to 15 bytes long and within the bytes given; the fast path,
 * the general decoder and the length-and-type pass agree. {@code scripts/fuzz.sh x86 SECONDS}
 * fuzzes it; {@code mvn verify} runs the inputs kept in {@code DecoderFuzzTestInputs/}.
 */
class DecoderFuzzTest {
  private static final X86Decoder FAST = new X86Decoder();
  private static final X86Decoder GENERAL = new X86Decoder();
  private static final DecodedInsn A = new DecodedInsn();
  private static final DecodedInsn B = new DecodedInsn();

  /** Entry point of the standalone fuzzer: the last byte's low bit says in or out of a function. */
  public static void fuzzerTestOneInput(byte[] data) {
    if (data.length < 2) return;
    boolean inFunction = (data[data.length - 1] & 1) != 0;
    int n = Math.min(X86Decoder.MAX_INSN_LEN, data.length - 1);
    byte[] bytes = java.util.Arrays.copyOf(data, n);
    MemorySegment m = MemorySegment.ofArray(bytes);
    boolean okA = FAST.decode(m, 0, n, inFunction, A);
    boolean okB = GENERAL.decodeWithoutFastPath(m, 0, n, inFunction, B);
    String what = HexFormat.ofDelimiter(" ").formatHex(bytes) + (inFunction ? " (in a function)" : "");
    if (okA != okB) throw new AssertionError(what + ": fast path says " + okA + ", general decoder " + okB);
    if (okA) {
      if (A.length() < 1 || A.length() > n) throw new AssertionError(what + ": length " + A.length());
      String da = FastPathTest.describe(A);
      String db = FastPathTest.describe(B);
      if (!da.equals(db)) throw new AssertionError(what + ": fast path " + da + ", general decoder " + db);
    }
    int lt = FAST.lengthAndType(m, 0, n, inFunction);
    int expected = okB ? B.length() | B.typeOrdinal() << 8 : -B.length();
    if (!okB && lt >= 0) throw new AssertionError(what + ": lengthAndType decodes what decode refuses");
    if (okB && lt != expected) throw new AssertionError(what + ": lengthAndType " + lt + ", decode " + expected);
    // the same bytes followed by more: the decoder must not look past `end`
    String before = okA ? FastPathTest.describe(A) : "";
    byte[] big = java.util.Arrays.copyOf(bytes, 64);
    java.util.Arrays.fill(big, n, 64, (byte) 0x66);
    boolean okC = FAST.decode(MemorySegment.ofArray(big), 0, n, inFunction, A);
    if (okC != okA || okC && !FastPathTest.describe(A).equals(before)) {
      throw new AssertionError(what + ": the bytes after the end change the decoding");
    }
  }

  @FuzzTest
  void decode(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
