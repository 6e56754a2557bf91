/**
 * The AArch64 backend of the architecture SPI ({@link io.objtool.arm64.Arm64Arch}, registered with
 * {@code @AutoService} for ELF machine 183): a table-driven decoder that classifies every 32-bit
 * word and fully decodes control flow and what touches sp, the frame pointer x29 and the link
 * register x30 (see {@code Arm64Decoder} for the model and its stack ops). Tested against
 * {@code aarch64-linux-gnu-objdump}.
 */
package io.objtool.arm64;
