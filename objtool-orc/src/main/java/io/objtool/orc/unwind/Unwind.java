package io.objtool.orc.unwind;

import java.util.List;

/**
 * The result of unwinding a stack: the frames from the innermost out, and why it stopped.
 *
 * @param frames the frames, the start frame first
 * @param reason why the unwind stopped
 * @param message the stop explained, with the ip and addresses involved
 */
public record Unwind(List<Frame> frames, StopReason reason, String message) {
  /** Whether the unwind reached the bottom of the stack. */
  public boolean reliable() {
    return reason.reliable();
  }
}
