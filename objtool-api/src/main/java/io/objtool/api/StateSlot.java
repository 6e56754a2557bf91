package io.objtool.api;

/**
 * A value a pass carries along every code path of the walk, in the {@link InsnState} the
 * engine passes to its visitor: the engine copies every slot where a path branches, so each path
 * has its own value, and the pass reads and writes its slots at the callbacks. Slots are created
 * per checked object with {@link ObjtoolFile#newStateSlot}, before the walk starts; only the pass
 * holding a slot can change it.
 *
 * <p>A slot created with {@code splitsVisits} takes part in the question "has this instruction
 * been walked in this state?", which the engine asks where paths meet: an instruction reached
 * once with all such slots zero and once with one of them non-zero is walked again (as objtool
 * walks code again with user access enabled). Other slots do not keep a path from ending at an
 * instruction already walked.
 */
public final class StateSlot {
  final int index;
  final String name;
  final boolean splitsVisits;

  StateSlot(int index, String name, boolean splitsVisits) {
    this.index = index;
    this.name = name;
    this.splitsVisits = splitsVisits;
  }

  /** The name given at creation (for messages and debugging). */
  public String name() {
    return name;
  }

  /** Whether the slot's value (zero or not) distinguishes walks where paths meet. */
  public boolean splitsVisits() {
    return splitsVisits;
  }

  @Override
  public String toString() {
    return name;
  }
}
