package io.objtool.x86;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Allocation-free access to the native capstone 4 library ({@code libcapstone.so.4}) through the
 * FFM API, using {@code cs_disasm_iter} with instruction detail. capstone-java (JNA) copies every
 * instruction into Java objects, which is too slow to compare millions of instructions; this reads
 * the same library's {@code cs_insn} and {@code cs_detail} structs in place.
 *
 * <p>Struct offsets are those of capstone 4.x on LP64: cs_insn {id@0, address@8, size@16,
 * bytes[16]@18, mnemonic[32]@34, op_str[160]@66, detail*@232}; cs_detail {regs_read[12]@0,
 * regs_read_count@24, regs_write[20]@26, regs_write_count@66, groups[8]@67, groups_count@75}.
 */
@SuppressWarnings("restricted")
final class CapstoneNative implements AutoCloseable {
    private static final int CS_ARCH_X86 = 3;
    private static final int CS_MODE_64 = 1 << 3;
    private static final int CS_OPT_DETAIL = 2;
    private static final long CS_OPT_ON = 3;

    private static final MethodHandle OPEN;
    private static final MethodHandle OPTION;
    private static final MethodHandle MALLOC;
    private static final MethodHandle ITER;
    private static final MethodHandle FREE;
    private static final MethodHandle CLOSE;
    private static final Throwable LOAD_ERROR;

    static {
        MethodHandle open = null;
        MethodHandle option = null;
        MethodHandle malloc = null;
        MethodHandle iter = null;
        MethodHandle free = null;
        MethodHandle close = null;
        Throwable err = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = libraryLookup();
            ValueLayout sizeT = ValueLayout.JAVA_LONG;
            open = linker.downcallHandle(lib.find("cs_open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            option = linker.downcallHandle(lib.find("cs_option").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, sizeT, ValueLayout.JAVA_INT, sizeT));
            malloc = linker.downcallHandle(lib.find("cs_malloc").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, sizeT));
            iter = linker.downcallHandle(lib.find("cs_disasm_iter").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN, sizeT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.ADDRESS), Linker.Option.critical(false));
            free = linker.downcallHandle(lib.find("cs_free").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, sizeT));
            close = linker.downcallHandle(lib.find("cs_close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        } catch (Throwable t) {
            err = t;
        }
        OPEN = open;
        OPTION = option;
        MALLOC = malloc;
        ITER = iter;
        FREE = free;
        CLOSE = close;
        LOAD_ERROR = err;
    }

    private static SymbolLookup libraryLookup() {
        for (String name : new String[] {"libcapstone.so.4", "libcapstone.so"}) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                // try the next name
            }
        }
        throw new IllegalStateException("libcapstone.so.4 not found (install Debian package libcapstone4)");
    }

    /** True if the native library could be loaded. */
    static boolean available() {
        return LOAD_ERROR == null;
    }

    private final Arena arena = Arena.ofShared();
    private final long handle;
    private final MemorySegment insn;
    private final MemorySegment codePtr = arena.allocate(ValueLayout.ADDRESS);
    private final MemorySegment sizePtr = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment addrPtr = arena.allocate(ValueLayout.JAVA_LONG);
    private MemorySegment detail;

    CapstoneNative() {
        if (LOAD_ERROR != null) {
            throw new IllegalStateException("capstone unavailable", LOAD_ERROR);
        }
        try {
            MemorySegment h = arena.allocate(ValueLayout.JAVA_LONG);
            int rc = (int) OPEN.invokeExact(CS_ARCH_X86, CS_MODE_64, h);
            if (rc != 0) {
                throw new IllegalStateException("cs_open failed: " + rc);
            }
            handle = h.get(ValueLayout.JAVA_LONG, 0);
            int orc = (int) OPTION.invokeExact(handle, CS_OPT_DETAIL, CS_OPT_ON);
            if (orc != 0) {
                throw new IllegalStateException("cs_option failed: " + orc);
            }
            insn = ((MemorySegment) MALLOC.invokeExact(handle)).reinterpret(240);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Disassembles one instruction at {@code off} of native memory {@code code} (size {@code size}).
     * Returns the length, or 0 if capstone rejects the bytes.
     */
    int disasm(MemorySegment code, long off, long size) {
        codePtr.set(ValueLayout.ADDRESS, 0, code.asSlice(off));
        sizePtr.set(ValueLayout.JAVA_LONG, 0, size - off);
        addrPtr.set(ValueLayout.JAVA_LONG, 0, off);
        boolean ok;
        try {
            ok = (boolean) ITER.invokeExact(handle, codePtr, sizePtr, addrPtr, insn);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (!ok) {
            return 0;
        }
        detail = insn.get(ValueLayout.ADDRESS, 232).reinterpret(80);
        return insn.get(ValueLayout.JAVA_SHORT, 16) & 0xffff;
    }

    /** Mnemonic of the last instruction. */
    String mnemonic() {
        return insn.asSlice(34, 32).getString(0, StandardCharsets.US_ASCII);
    }

    /** True if the last instruction is in capstone group {@code g}. */
    boolean inGroup(int g) {
        int n = detail.get(ValueLayout.JAVA_BYTE, 75);
        for (int i = 0; i < n; i++) {
            if (detail.get(ValueLayout.JAVA_BYTE, 67 + i) == g) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            FREE.invokeExact(insn, 1L);
            MemorySegment h = arena.allocate(ValueLayout.JAVA_LONG);
            h.set(ValueLayout.JAVA_LONG, 0, handle);
            int rc = (int) CLOSE.invokeExact(h);
            if (rc != 0) {
                throw new IllegalStateException("cs_close " + rc);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}
