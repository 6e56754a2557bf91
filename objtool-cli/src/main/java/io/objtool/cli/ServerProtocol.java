package io.objtool.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objtool server's wire format on its Unix domain socket (all integers little-endian).
 *
 * <p>A request: the 8 bytes {@code OBJTOOL1}, a u32 kind ({@link #RUN}, {@link #STATUS},
 * {@link #STOP}), a u32 body length (at most {@link #MAX_BODY}), and the body: NUL-terminated
 * strings — the build key, the working directory, the argument count in decimal, the arguments,
 * then {@code NAME=VALUE} for every environment variable of the tool's ({@code OBJTOOL_*}, and
 * {@code CROSS_COMPILE} and {@code PATH}, which name the objdump that {@code --verbose} runs).
 *
 * <p>Replies are frames: a type byte and a u32 length, then that many bytes. {@link #ACCEPTED}
 * says the request was taken and {@link #ALIVE} follows every second while it waits or runs (both
 * sent from the first second on: a request answered sooner gets its whole reply in one write),
 * {@link #STDOUT} and {@link #STDERR} carry the output in the order it was written,
 * {@link #EXIT} (a u32 status) ends the reply, and {@link #FALL_BACK} (a reason) tells the client
 * to run the request in its own process instead.
 */
final class ServerProtocol {
  static final byte[] MAGIC = "OBJTOOL1".getBytes(StandardCharsets.US_ASCII);
  static final int RUN = 0;
  static final int STATUS = 1;
  static final int STOP = 2;
  static final int MAX_BODY = 4 << 20;

  static final byte ACCEPTED = 'A';
  static final byte ALIVE = 'H';
  static final byte STDOUT = 'O';
  static final byte STDERR = 'E';
  static final byte EXIT = 'X';
  static final byte FALL_BACK = 'F';

  private ServerProtocol() { }

  /** A request that does not follow the format. */
  static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  /** A decoded request. */
  record Request(int kind, String key, String cwd, List<String> args, Map<String, String> env) { }

  /** Reads one request; {@link BadRequest} for garbage, {@link EOFException} when it stops short. */
  static Request read(ReadableByteChannel ch) throws IOException, BadRequest {
    ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, head);
    head.flip();
    byte[] magic = new byte[8];
    head.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) throw new BadRequest("not an objtool request (bad magic)");
    int kind = head.getInt();
    int len = head.getInt();
    if (kind < RUN || kind > STOP) throw new BadRequest("unknown request kind " + Integer.toUnsignedString(kind));
    if (len < 0 || len > MAX_BODY) throw new BadRequest("request body of " + Integer.toUnsignedString(len) + " bytes");
    byte[] b = readExactly(ch, len);
    List<String> strings = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < len; i++) {
      if (b[i] == 0) {
        strings.add(new String(b, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start != len) throw new BadRequest("request body does not end with a NUL");
    if (strings.size() < 3) throw new BadRequest("request body has " + strings.size() + " strings");
    int argc;
    try {
      argc = Integer.parseInt(strings.get(2));
    } catch (NumberFormatException e) {
      throw new BadRequest("bad argument count '" + strings.get(2) + "'");
    }
    if (argc < 0 || 3 + argc > strings.size()) throw new BadRequest("argument count " + argc + " exceeds the body");
    List<String> args = List.copyOf(strings.subList(3, 3 + argc));
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : strings.subList(3 + argc, strings.size())) {
      int eq = kv.indexOf('=');
      if (eq <= 0) throw new BadRequest("bad environment entry");
      env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return new Request(kind, strings.get(0), strings.get(1), args, env);
  }

  /** Encodes a request (the Java side's client: {@code objtool-server status/stop} and tests). */
  static ByteBuffer encode(int kind, String key, String cwd, List<String> args, Map<String, String> env) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(key, cwd, Integer.toString(args.size())));
    all.addAll(args);
    env.forEach((k, v) -> all.add(k + "=" + v));
    for (String s : all) {
      body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      body.write(0);
    }
    ByteBuffer b = ByteBuffer.allocate(16 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(kind).putInt(body.size()).put(body.toByteArray()).flip();
    return b;
  }

  /** Writes one frame. */
  static void frame(WritableByteChannel ch, byte type, byte[] data, int off, int len) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
    h.put(type).putInt(len).flip();
    ByteBuffer d = ByteBuffer.wrap(data, off, len);
    while (h.hasRemaining()) ch.write(h);
    while (d.hasRemaining()) ch.write(d);
  }

  /** Writes an {@link #EXIT} frame. */
  static void exit(WritableByteChannel ch, int status) throws IOException {
    byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(status).array();
    frame(ch, EXIT, b, 0, 4);
  }

  /** A reply frame as read by the Java client. */
  record Frame(byte type, byte[] data) {
    int status() {
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
  }

  /** Reads one frame. */
  static Frame readFrame(ReadableByteChannel ch) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, h);
    h.flip();
    byte type = h.get();
    int len = h.getInt();
    if (len < 0 || len > (256 << 20)) throw new IOException("bad reply frame length " + len);
    return new Frame(type, readExactly(ch, len));
  }

  /**
   * Reads exactly {@code len} bytes, allocating as they arrive: a peer that announces a length
   * and sends less costs what it sent (and 64 KiB), not what it announced.
   */
  static byte[] readExactly(ReadableByteChannel ch, int len) throws IOException {
    byte[] buf = new byte[Math.min(len, 1 << 16)];
    int have = 0;
    while (have < len) {
      if (have == buf.length) buf = java.util.Arrays.copyOf(buf, (int) Math.min(len, 2L * buf.length));
      int n = ch.read(ByteBuffer.wrap(buf, have, buf.length - have));
      if (n < 0) throw new EOFException("connection closed after " + have + " of " + len + " bytes");
      have += n;
    }
    return buf;
  }

  static void readFully(ReadableByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("connection closed after " + b.position() + " of " + b.limit() + " bytes");
      }
    }
  }
}
