package io.objtool.elf;

import io.objtool.elf.edit.ElfEdit;

/** The implementation of {@link ElfEdit.Access}, with the package's access to the mutators. */
final class EditAccess extends ElfEdit.Access {
  @Override
  public Section addSection(ElfFile elf, String name, int shType, long shFlags, long entsize, long align, byte[] data) {
    return elf.addSection(name, shType, shFlags, entsize, align, data);
  }

  @Override
  public Relocations relocationsFor(ElfFile elf, Section base) {
    return elf.relocationsFor(base);
  }

  @Override
  public Symbol addSymbol(ElfFile elf, String name, int bind, int symType, int other, Section sec, long value, long size) {
    return elf.addSymbol(name, bind, symType, other, sec, value, size);
  }

  @Override
  public Symbol sectionSymbol(ElfFile elf, Section sec) {
    return elf.sectionSymbol(sec);
  }

  @Override
  public void setData(Section sec, byte[] bytes) {
    sec.setData(bytes);
  }

  @Override
  public void patch(Section sec, long offset, byte[] bytes) {
    sec.patch(offset, bytes);
  }

  @Override
  public int addReloc(Relocations r, long off, int relType, Symbol sym, long addend) {
    return r.add(off, relType, sym, addend);
  }

  @Override
  public void reserveRelocs(Relocations r, int more) {
    r.reserve(more);
  }

  @Override
  public void setRelocAddend(Relocations r, int i, long value) {
    r.setAddend(i, value);
  }

  @Override
  public void setRelocType(Relocations r, int i, int relType) {
    r.setType(i, relType);
  }

  @Override
  public void setRelocSymbol(Relocations r, int i, Symbol sym) {
    r.setSymbol(i, sym);
  }

  @Override
  public void write(ElfFile elf, java.nio.file.Path out, ElfFile.Layout layout) {
    elf.write(out, layout);
  }
}
