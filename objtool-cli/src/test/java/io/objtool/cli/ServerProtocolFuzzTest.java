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

  @FuzzTest
  void request(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
