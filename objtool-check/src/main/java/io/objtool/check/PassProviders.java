package io.objtool.check;

import io.objtool.api.Pass;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The passes a class loader provides ({@link ServiceLoader}), looked up once: {@link #create()}
 * gives a fresh instance of each, so every run still has passes of its own. The objtool server
 * keeps one per class loader instead of reading every jar's service files on each request.
 */
public final class PassProviders {
  private final List<ServiceLoader.Provider<Pass>> providers;

  private PassProviders(List<ServiceLoader.Provider<Pass>> providers) {
    this.providers = providers;
  }

  /** The passes on {@code loader}'s class path (or module path), in {@link ServiceLoader}'s order. */
  public static PassProviders of(ClassLoader loader) {
    return new PassProviders(ServiceLoader.load(Pass.class, loader).stream().toList());
  }

  /** A new instance of every pass, in {@link ServiceLoader}'s order. */
  public List<Pass> create() {
    List<Pass> out = new ArrayList<>(providers.size());
    for (ServiceLoader.Provider<Pass> p : providers) out.add(p.get());
    return out;
  }
}
