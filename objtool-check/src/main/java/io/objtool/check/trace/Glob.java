package io.objtool.check.trace;

import java.util.regex.Pattern;

/**
 * A function-name pattern of {@code --trace}: a name, or a shell glob with {@code *} (any
 * characters), {@code ?} (one character) and {@code [...]} (one of a set, {@code [!...]} none of
 * it), matched against the whole name.
 */
public final class Glob {
  private final String text;
  private final Pattern pattern;

  private Glob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  /** The pattern {@code text}; an unterminated {@code [} stands for itself. */
  public static Glob of(String text) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '[' -> {
          int close = text.indexOf(']', i + 2);
          if (close < 0) {
            re.append("\\[");
          } else {
            String set = text.substring(i + 1, close);
            boolean negate = set.startsWith("!");
            if (negate) set = set.substring(1);
            re.append('[').append(negate ? "^" : "").append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
            i = close;
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new Glob(text, Pattern.compile(re.toString()));
  }

  /** Whether {@code name} matches the whole pattern. */
  public boolean matches(String name) {
    return name != null && pattern.matcher(name).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
