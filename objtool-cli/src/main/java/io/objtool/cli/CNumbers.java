package io.objtool.cli;

/** Number parsing with the acceptance rules of C's {@code strtol}. */
final class CNumbers {
  private CNumbers() { }

  /**
   * Parses {@code text} as {@code strtol(text, &end, 10)} does and returns the value when the
   * whole text was consumed ({@code *end == '\0'}), else null. Leading white space and one sign
   * are accepted; an empty text is 0 (nothing is consumed, and nothing is left); a text without
   * digits is rejected unless it is empty; values beyond the range of a 64-bit long saturate.
   */
  static Long strtol10(String text) {
    int n = text.length();
    int i = 0;
    while (i < n && isCSpace(text.charAt(i))) i++;
    boolean negative = false;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      negative = text.charAt(i) == '-';
      i++;
    }
    int digitsStart = i;
    long value = 0;
    boolean overflow = false;
    while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      int d = text.charAt(i) - '0';
      if (!overflow) {
        if (value > (Long.MAX_VALUE - d) / 10) {
          overflow = true;
        } else {
          value = value * 10 + d;
        }
      }
      i++;
    }
    if (i == digitsStart) {
      // No conversion: the end pointer stays at the start of the text.
      return n == 0 ? 0L : null;
    }
    if (i != n) return null;
    if (overflow) return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
    return negative ? -value : value;
  }

  private static boolean isCSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
  }
}
