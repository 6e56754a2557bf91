package io.objtool.elf.edit;

import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * Changes to an {@link ElfFile}: new sections, symbols and relocations, new section bytes. The
 * types of {@code io.objtool.elf} are read-only for everyone else; this package is exported only
 * to the modules that write objects ({@code io.objtool.check}, {@code io.objtool.orc},
 * {@code io.objtool.cli}), so a plug-in pass cannot change the object.
 */
public final class ElfEdit {
  private ElfEdit() {}

  /** The ELF package's side, implemented inside {@code io.objtool.elf}. */
  public abstract static class Access {
    /** Only {@code io.objtool.elf} implements it. */
    protected Access() {}

    /** See {@link ElfEdit#addSection}. */
    public abstract Section addSection(ElfFile elf, String name, int shType, long shFlags, long entsize, long align, byte[] data);

    /** See {@link ElfEdit#relocationsFor}. */
    public abstract Relocations relocationsFor(ElfFile elf, Section base);

    /** See {@link ElfEdit#addSymbol}. */
    public abstract Symbol addSymbol(ElfFile elf, String name, int bind, int symType, int other, Section sec, long value, long size);

    /** See {@link ElfEdit#sectionSymbol}. */
    public abstract Symbol sectionSymbol(ElfFile elf, Section sec);

    /** See {@link ElfEdit#setData}. */
    public abstract void setData(Section sec, byte[] bytes);

    /** See {@link ElfEdit#patch}. */
    public abstract void patch(Section sec, long offset, byte[] bytes);

    /** See {@link ElfEdit#addReloc}. */
    public abstract int addReloc(Relocations r, long off, int relType, Symbol sym, long addend);

    /** See {@link ElfEdit#reserveRelocs}. */
    public abstract void reserveRelocs(Relocations r, int more);

    /** See {@link ElfEdit#setRelocAddend}. */
    public abstract void setRelocAddend(Relocations r, int i, long value);

    /** See {@link ElfEdit#setRelocType}. */
    public abstract void setRelocType(Relocations r, int i, int relType);

    /** See {@link ElfEdit#setRelocSymbol}. */
    public abstract void setRelocSymbol(Relocations r, int i, Symbol sym);

    /** See {@link ElfEdit#write(ElfFile, java.nio.file.Path, ElfFile.Layout)}. */
    public abstract void write(ElfFile elf, java.nio.file.Path out, ElfFile.Layout layout);
  }

  private static Access pending;

  /** Holds the installed access as a constant (initialised on first use, after the install). */
  private static final class A {
    private static final Access A = load();

    private static Access load() {
      try {
        Class.forName(ElfFile.class.getName(), true, ElfEdit.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      synchronized (ElfEdit.class) {
        if (pending == null) throw new IllegalStateException("ELF edit access not installed");
        return pending;
      }
    }
  }

  /**
   * Called once, by {@code io.objtool.elf}'s class initialisation.
   *
   * @throws IllegalStateException on a second call
   */
  public static synchronized void install(Access access) {
    if (pending != null) throw new IllegalStateException("ELF edit access already installed");
    pending = access;
  }

  /** Adds a section (and its name to {@code .shstrtab}); returns it. */
  public static Section addSection(ElfFile elf, String name, int shType, long shFlags, long entsize, long align, byte[] data) {
    return A.A.addSection(elf, name, shType, shFlags, entsize, align, data);
  }

  /** The {@code .rela} section of {@code base}, created empty when it has none. */
  public static Relocations relocationsFor(ElfFile elf, Section base) {
    return A.A.relocationsFor(elf, base);
  }

  /** Adds a symbol to the symbol table; returns it. */
  public static Symbol addSymbol(ElfFile elf, String name, int bind, int symType, int other, Section sec, long value, long size) {
    return A.A.addSymbol(elf, name, bind, symType, other, sec, value, size);
  }

  /** The section symbol of {@code sec}, created when the object has none. */
  public static Symbol sectionSymbol(ElfFile elf, Section sec) {
    return A.A.sectionSymbol(elf, sec);
  }

  /** Replaces a section's bytes. */
  public static void setData(Section sec, byte[] bytes) {
    A.A.setData(sec, bytes);
  }

  /**
   * Writes {@code bytes} over {@code sec}'s bytes at {@code offset} (its size stays). The section
   * is not copied for it: patches are kept aside until its bytes are asked for or written.
   */
  public static void patch(Section sec, long offset, byte[] bytes) {
    A.A.patch(sec, offset, bytes);
  }

  /** Appends a relocation; returns its index. */
  public static int addReloc(Relocations r, long off, int relType, Symbol sym, long addend) {
    return A.A.addReloc(r, off, relType, sym, addend);
  }

  /**
   * Makes room in {@code r} for {@code more} relocations beyond its current ones, so that adding
   * them copies nothing: for a writer that knows how many it adds.
   */
  public static void reserveRelocs(Relocations r, int more) {
    A.A.reserveRelocs(r, more);
  }

  /** Changes the addend of relocation {@code i}. */
  public static void setRelocAddend(Relocations r, int i, long value) {
    A.A.setRelocAddend(r, i, value);
  }

  /** Changes the type of relocation {@code i}. */
  public static void setRelocType(Relocations r, int i, int relType) {
    A.A.setRelocType(r, i, relType);
  }

  /** Changes the symbol of relocation {@code i}. */
  public static void setRelocSymbol(Relocations r, int i, Symbol sym) {
    A.A.setRelocSymbol(r, i, sym);
  }

  /**
   * Writes the object to {@code out} atomically with the {@link ElfFile.Layout#PRESERVE} layout:
   * a temporary file in the same directory, then a rename. On failure {@code out} is untouched.
   */
  public static void write(ElfFile elf, java.nio.file.Path out) {
    A.A.write(elf, out, ElfFile.Layout.PRESERVE);
  }

  /** {@link #write(ElfFile, java.nio.file.Path)} with the given layout. */
  public static void write(ElfFile elf, java.nio.file.Path out, ElfFile.Layout layout) {
    A.A.write(elf, out, layout);
  }
}
