package io.objtool.cli;

import java.util.List;
import java.util.Map;

/**
 * A minimal JSON writer for the reports: strings, numbers, booleans, null, lists and maps
 * (insertion order kept, so callers use {@link java.util.LinkedHashMap}). Output is compact, one
 * line per value, which also makes it usable for JSON Lines.
 */
final class Json {
  private Json() { }

  /** An object of the given key/value pairs, keys in the given order (values may be null). */
  static Map<String, Object> obj(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("odd number of arguments");
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return m;
  }

  /** The JSON text of {@code value}. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.toString();
  }

  static void append(StringBuilder sb, Object v) {
    switch (v) {
      case null -> sb.append("null");
      case String s -> string(sb, s);
      case Boolean b -> sb.append(b.booleanValue());
      case Integer i -> sb.append(i.intValue());
      case Long l -> sb.append(l.longValue());
      case Double d -> {
        if (d.isNaN() || d.isInfinite()) throw new IllegalArgumentException("not a JSON number: " + d);
        sb.append(d.doubleValue());
      }
      case Map<?, ?> m -> {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) sb.append(',');
          first = false;
          string(sb, String.valueOf(e.getKey()));
          sb.append(':');
          append(sb, e.getValue());
        }
        sb.append('}');
      }
      case List<?> l -> {
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) sb.append(',');
          append(sb, l.get(i));
        }
        sb.append(']');
      }
      default -> throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
    }
  }

  /** A quoted JSON string; control characters and non-ASCII characters are escaped. */
  static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
