package io.objtool.check.passes;

import io.objtool.api.Options;
import io.objtool.api.Pass;

/**
 * A pass of static stack validation: every walk makes it, whatever action asked for the walk
 * ({@code --stackval}, {@code --orc}, {@code --uaccess}, {@code --noinstr}, a plug-in), as the
 * reference validates the stack whenever it walks. Its option is {@code stackval}, one of the
 * reference's, so it never appears as a plug-in action.
 */
abstract class EveryWalkPass implements Pass {
  private final int order;

  /** A pass at {@code order} in the visitor chain. */
  EveryWalkPass(int order) {
    this.order = order;
  }

  @Override
  public final String option() {
    return "stackval";
  }

  /** Always. */
  @Override
  public final boolean enabled(Options options) {
    return true;
  }

  @Override
  public final int order() {
    return order;
  }
}
