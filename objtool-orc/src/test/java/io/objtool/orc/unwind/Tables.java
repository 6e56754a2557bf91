package io.objtool.orc.unwind;

import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcReg;
import io.objtool.orc.OrcType;
import java.util.ArrayList;
import java.util.List;

/** Builds small synthetic orc tables for tests. */
final class Tables {
  private final OrcFormat format;
  private final List<Long> ips = new ArrayList<>();
  private final List<OrcEntry> entries = new ArrayList<>();

  Tables(OrcFormat format) {
    this.format = format;
  }

  Tables add(long ip, OrcEntry e) {
    ips.add(ip);
    entries.add(e);
    return this;
  }

  Tables call(long ip, OrcReg sp, int spOff, OrcReg bp, int bpOff) {
    return add(ip, OrcEntry.call(format, sp, spOff, bp, bpOff));
  }

  Tables type(long ip, OrcType t, OrcReg sp, int spOff, OrcReg bp, int bpOff) {
    return add(ip, OrcEntry.of(format, t, sp, spOff, bp, bpOff, false));
  }

  Tables end(long ip) {
    return add(ip, OrcEntry.endOfStack(format));
  }

  Tables undefined(long ip) {
    return add(ip, OrcEntry.undefined(format));
  }

  Tables raw(long ip, int spOff, int bpOff, int flags) {
    return add(ip, new OrcEntry(format, (short) spOff, (short) bpOff, (short) flags));
  }

  OrcTable build() {
    long[] a = new long[ips.size()];
    for (int i = 0; i < a.length; i++) a[i] = ips.get(i);
    return OrcTable.of(format, a, entries.toArray(new OrcEntry[0]));
  }
}
