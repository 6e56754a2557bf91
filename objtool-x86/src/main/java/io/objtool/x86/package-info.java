/**
 * The x86-64 backend of the architecture SPI ({@link io.objtool.x86.X86Arch}, registered with
 * {@code @AutoService}): a table-driven decoder ({@link io.objtool.x86.X86Decoder}) that reads
 * instructions in place from a {@link java.lang.foreign.MemorySegment} and reports objtool's
 * insn type, immediate and stack ops, with the classification of the reference objtool 6.12.
 *
 * <p>Known, deliberate divergences from GNU objdump (none occurs in the 6.12 module corpus):
 * near branches with a 66 prefix keep their rel32 (Intel and the kernel's decoder; objdump follows
 * AMD and reads rel16), and a REX prefix followed by a legacy prefix is decoded on its own, as
 * objdump does. {@code 0f ff} (ud0) takes a ModRM byte as in objdump; objtool 6.12's decoder reads
 * it as two bytes.
 */
package io.objtool.x86;
