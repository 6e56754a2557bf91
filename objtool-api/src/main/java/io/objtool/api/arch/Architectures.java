package io.objtool.api.arch;

import java.util.Optional;
import java.util.ServiceLoader;

/** Finds {@link Arch} implementations on the class path with {@link ServiceLoader}. */
public final class Architectures {
    private Architectures() {
    }

    /** The backend for ELF machine {@code eMachine}, if one is installed. */
    public static Optional<Arch> forElfMachine(int eMachine) {
        for (Arch a : ServiceLoader.load(Arch.class, Arch.class.getClassLoader())) {
            if (a.elfMachine() == eMachine) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The backend named {@code name} (e.g. "x86_64"), if one is installed. */
    public static Optional<Arch> forName(String name) {
        for (Arch a : ServiceLoader.load(Arch.class, Arch.class.getClassLoader())) {
            if (a.name().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
