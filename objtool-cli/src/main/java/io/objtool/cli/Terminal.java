package io.objtool.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a file descriptor is a terminal, asked of the C library's {@code isatty}. */
final class Terminal {
  private Terminal() { }

  /** True when {@code fd} is a terminal; false when it is not or the question cannot be asked. */
  @SuppressWarnings("restricted") // bin/objtool grants native access
  static boolean isatty(int fd) {
    try {
      Linker linker = Linker.nativeLinker();
      MethodHandle h = linker.downcallHandle(linker.defaultLookup().find("isatty").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      return (int) h.invokeExact(fd) == 1;
    } catch (Throwable t) {
      return false;
    }
  }
}
