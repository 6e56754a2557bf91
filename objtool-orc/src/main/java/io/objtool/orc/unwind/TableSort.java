package io.objtool.orc.unwind;

/** A stable merge sort of table positions by (ip unsigned, weak entries first). */
final class TableSort {
  private TableSort() {}

  static int[] order(long[] ips, boolean[] weak) {
    int n = ips.length;
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    if (isSorted(ips, weak, a)) return a;
    int[] b = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) b[k++] = before(ips, weak, a[j], a[i]) ? a[j++] : a[i++];
        while (i < mid) b[k++] = a[i++];
        while (j < hi) b[k++] = a[j++];
      }
      int[] t = a;
      a = b;
      b = t;
    }
    return a;
  }

  /** Whether position x sorts strictly before position y. */
  private static boolean before(long[] ips, boolean[] weak, int x, int y) {
    int c = Long.compareUnsigned(ips[x], ips[y]);
    if (c != 0) return c < 0;
    return weak[x] && !weak[y];
  }

  private static boolean isSorted(long[] ips, boolean[] weak, int[] a) {
    for (int i = 1; i < a.length; i++) if (before(ips, weak, a[i], a[i - 1])) return false;
    return true;
  }
}
