package io.objtool.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;

/**
 * Fuzz target: the objtool server's wire protocol ({@link ServerProtocol}) on arbitrary bytes, as
 * a connection would send them. A request is read, or refused with {@link ServerProtocol.BadRequest}
 * or {@link EOFException}; what is read encodes back to a request that reads the same. Reply
 * frames read the same way. {@code scripts/fuzz.sh server SECONDS} fuzzes it.
 */
class ServerProtocolFuzzTest {
  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(byte[] data) {
    try {
      ServerProtocol.Request req;
      try {
        req = ServerProtocol.read(channel(data));
      } catch (ServerProtocol.BadRequest | EOFException e) {
        req = null;
      }
      if (req != null) {
        ByteBuffer again = ServerProtocol.encode(req.kind(), req.key(), req.cwd(), req.args(), req.env());
        byte[] bytes = new byte[again.remaining()];
        again.get(bytes);
        ServerProtocol.Request back;
        try {
          back = ServerProtocol.read(channel(bytes));
        } catch (ServerProtocol.BadRequest e) {
          throw new AssertionError("a request read from the wire does not read back: " + e.getMessage());
        }
        if (!back.equals(req)) throw new AssertionError("request changed on a round trip: " + req + " / " + back);
      }
      try {
        ServerProtocol.readFrame(channel(data));
      } catch (EOFException e) {
        // a short reply
      } catch (IOException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("bad reply frame length")) throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ReadableByteChannel channel(byte[] data) {
    return Channels.newChannel(new ByteArrayInputStream(data));
  }

  /** A peer that announces a long message and sends a few bytes costs what it sent. */
  @org.junit.jupiter.api.Test
  void announcedLengthsAreNotAllocatedAhead() throws Exception {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    byte[] frame = {'O', 0, 0, 0, 0x0f, 1, 2, 3}; // a 251 MB reply frame, 3 bytes of it
    long before = mx.getCurrentThreadAllocatedBytes();
    org.junit.jupiter.api.Assertions.assertThrows(EOFException.class, () -> ServerProtocol.readFrame(channel(frame)));
    ByteBuffer req = ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    req.put(ServerProtocol.MAGIC).putInt(ServerProtocol.RUN).putInt(ServerProtocol.MAX_BODY).put(new byte[4]);
    org.junit.jupiter.api.Assertions.assertThrows(EOFException.class, () -> ServerProtocol.read(channel(req.array())));
    long allocated = mx.getCurrentThreadAllocatedBytes() - before;
    org.junit.jupiter.api.Assertions.assertTrue(allocated < (1 << 20), "allocated " + allocated + " bytes");
  }

  @FuzzTest
  void request(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
