package io.objtool.elf.dwarf;

import io.objtool.elf.Section;

/**
 * A Common Information Entry: what the FDEs that point at it share — the code and data
 * alignment factors, the return address column, the augmentation ({@code "zR"}, {@code "zPLR"},
 * ...) with the pointer encoding of FDE addresses, and the initial instructions every FDE's
 * program starts from. {@code offset} is where it sits in {@code section}.
 */
public record Cie(Section section, long offset, int version, String augmentation, long codeAlign, long dataAlign,
    int raColumn, int fdeEncoding, int lsdaEncoding, boolean signalFrame, int addressSize, byte[] initialInstructions) {
  /** Whether FDEs of this CIE carry augmentation data (the augmentation starts with {@code z}). */
  public boolean hasAugmentationData() {
    return augmentation.startsWith("z");
  }
}
