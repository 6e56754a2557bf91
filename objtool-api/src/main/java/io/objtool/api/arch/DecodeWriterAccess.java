package io.objtool.api.arch;

import io.objtool.api.internal.DecodeWriter;

/** The implementation of {@link DecodeWriter.Access}, with the package's access to the writer side of {@link DecodedInsn}. */
final class DecodeWriterAccess extends DecodeWriter.Access {
  @Override
  public void reset(DecodedInsn d) {
    d.reset();
  }

  @Override
  public void set(DecodedInsn d, int length, int type, boolean hasImm, long immediate, int flags, int map, int opcode,
      int modrm, int dispOffset, int dispSize, int immOffset, int immSize) {
    d.set(length, type, hasImm, immediate, flags, map, opcode, modrm, dispOffset, dispSize, immOffset, immSize);
  }

  @Override
  public void setResult(DecodedInsn d, DecodeStatus status, int length) {
    d.setResult(status, length);
  }

  @Override
  public void setType(DecodedInsn d, InsnType type) {
    d.setType(type);
  }

  @Override
  public void setImmediate(DecodedInsn d, long immediate) {
    d.setImmediate(immediate);
  }

  @Override
  public void addFlags(DecodedInsn d, int f) {
    d.addFlags(f);
  }

  @Override
  public void setOpcode(DecodedInsn d, int map, int opcode, int modrm) {
    d.setOpcode(map, opcode, modrm);
  }

  @Override
  public void setLayout(DecodedInsn d, int dispOffset, int dispSize, int immOffset, int immSize) {
    d.setLayout(dispOffset, dispSize, immOffset, immSize);
  }

  @Override
  public void addStackOp(DecodedInsn d, OpSrcType srcType, int srcReg, int srcOffset, OpDestType destType, int destReg, int destOffset) {
    d.addStackOp(srcType, srcReg, srcOffset, destType, destReg, destOffset);
  }
}
