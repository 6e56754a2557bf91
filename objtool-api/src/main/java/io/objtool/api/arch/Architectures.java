package io.objtool.api.arch;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds {@link Arch} implementations on the class path with {@link ServiceLoader}, once: an
 * {@link Arch} holds no state, so every run (and every request of the objtool server) shares them.
 */
public final class Architectures {
    private Architectures() {
    }

    /** Looked up on first use. */
    private static final class Installed {
        static final List<Arch> ALL = ServiceLoader.load(Arch.class, Arch.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList();
    }

    /** The backend for ELF machine {@code eMachine}, if one is installed. */
    public static Optional<Arch> forElfMachine(int eMachine) {
        for (Arch a : Installed.ALL) {
            if (a.elfMachine() == eMachine) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The backend named {@code name} (e.g. "x86_64"), if one is installed. */
    public static Optional<Arch> forName(String name) {
        for (Arch a : Installed.ALL) {
            if (a.name().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
