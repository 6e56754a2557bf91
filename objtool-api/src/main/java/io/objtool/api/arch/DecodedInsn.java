package io.objtool.api.arch;

import java.util.ArrayList;
import java.util.List;

/**
 * Reusable, mutable result of {@link InsnDecoder#decode}: length, {@link InsnType insn type},
 * immediate and the {@link StackOp stack ops} of one instruction.
 *
 * <p>Read-only here: a decoder fills it through {@code io.objtool.api.internal.DecodeWriter},
 * exported only to the project's modules (the x86 architecture among them).
 *
 * <p>One instance is meant to be reused for every instruction of a section so that the hot path
 * does not allocate; copy out what must be kept (length and type fit in a few bytes, stack ops are
 * rare and can be materialised with {@link #stackOp(int)}).
 */
public final class DecodedInsn {
    /** Most stack ops a single x86 instruction produces ({@code leave} needs two). */
    public static final int MAX_STACK_OPS = 4;

    /** Flag: {@link #immediate()} holds an immediate operand or a branch displacement. */
    public static final int F_IMMEDIATE = 1;
    /** Flag: the memory operand is RIP-relative. */
    public static final int F_RIP_RELATIVE = 1 << 1;
    /**
     * Flag: the instruction writes %rsp in a way objtool does not model (no stack op was produced),
     * e.g. {@code xchg %rax,%rsp}, {@code or $8,%rsp}, {@code mov (%rax),%rsp}, {@code enter}.
     * The reference objtool 6.12 is silent about these; the flag is informational.
     */
    public static final int F_UNMODELLED_SP_WRITE = 1 << 2;
    /** Flag: a REX prefix was followed by another prefix and decoded on its own (objdump's "rex.W"). */
    public static final int F_DANGLING_REX = 1 << 3;
    /** Flag: the instruction has a VEX, EVEX or XOP prefix. */
    public static final int F_VEX = 1 << 4;
    /**
     * Flag: the opcode is undefined or invalid in 64-bit mode (objdump prints "(bad)"), but it was
     * decoded the way objtool's own decoder does (a one-byte opcode with its 32-bit layout, an
     * undefined 0f opcode as its two bytes), as type OTHER with no stack ops, so that checking
     * carries on as with the reference.
     */
    public static final int F_UNDEFINED = 1 << 5;
    /**
     * Flag: an ENQCMD instruction (its F2 prefix the only legacy prefix), which kernel code must
     * not contain; objtool reports it while decoding and goes on.
     */
    public static final int F_ENQCMD = 1 << 6;
    /** Flag: an indirect call or jump with a {@code notrack} (3E) prefix, which defeats IBT. */
    public static final int F_NOTRACK = 1 << 7;
    /** Flag: a LEA with a register operand (ModRM mod 3), an invalid encoding decoded anyway. */
    public static final int F_INVALID_LEA = 1 << 8;

    private static final int OP_FIELDS = 6;

    /** The {@link DecodeStatus} ordinal: a primitive, so the per-instruction store needs no GC barrier. */
    private byte status = (byte) DecodeStatus.INVALID_OPCODE.ordinal();
    private static final DecodeStatus[] STATUSES = DecodeStatus.values();
    private static final byte OK = (byte) DecodeStatus.OK.ordinal();
    private int length;
    private int type;
    private long immediate;
    private int flags;
    private int opcodeMap;
    private int opcode;
    private int modrm = -1;
    private int dispOffset;
    private int dispSize;
    private int immOffset;
    private int immSize;
    private int opCount;
    private final int[] ops = new int[MAX_STACK_OPS * OP_FIELDS];

    /** Decoding outcome. */
    public DecodeStatus status() {
        return STATUSES[status];
    }

    /** True when {@link #status()} is {@link DecodeStatus#OK}. */
    public boolean ok() {
        return status == OK;
    }

    /** Instruction length in bytes (also set for errors: the bytes examined, at least 1). */
    public int length() {
        return length;
    }

    /** objtool instruction type. */
    public InsnType type() {
        return InsnType.of(type);
    }

    /** {@link #type()} as an ordinal, for compact storage. */
    public int typeOrdinal() {
        return type;
    }

    /**
     * The branch displacement for direct jumps and calls (target = offset + length + immediate),
     * otherwise the first immediate operand, sign-extended; 0 when there is none.
     */
    public long immediate() {
        return immediate;
    }

    /** Destination of a direct branch at {@code insnOffset}: {@code insnOffset + length + immediate}. */
    public long branchTarget(long insnOffset) {
        return insnOffset + length + immediate;
    }

    /** Bit set of the {@code F_*} flags. */
    public int flags() {
        return flags;
    }

    /** True if the given {@code F_*} flag is set. */
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Opcode map: 0 one-byte, 1 = 0f, 2 = 0f38, 3 = 0f3a, VEX/EVEX/XOP map number otherwise. */
    public int opcodeMap() {
        return opcodeMap;
    }

    /** The opcode byte within {@link #opcodeMap()}. */
    public int opcode() {
        return opcode;
    }

    /** The ModRM byte, or -1 if the instruction has none. */
    public int modrm() {
        return modrm;
    }

    /** Offset of the displacement within the instruction (0 if none); relocations land here. */
    public int dispOffset() {
        return dispOffset;
    }

    /** Size of the displacement in bytes. */
    public int dispSize() {
        return dispSize;
    }

    /** Offset of the immediate (or branch displacement) within the instruction (0 if none). */
    public int immOffset() {
        return immOffset;
    }

    /** Size of the immediate in bytes. */
    public int immSize() {
        return immSize;
    }

    /** Number of stack ops. */
    public int stackOpCount() {
        return opCount;
    }

    /** Destination type of stack op {@code i}. */
    public OpDestType destType(int i) {
        return OpDestType.of(ops[i * OP_FIELDS]);
    }

    /** Destination register (or base register) of stack op {@code i}. */
    public int destReg(int i) {
        return ops[i * OP_FIELDS + 1];
    }

    /** Destination offset of stack op {@code i}. */
    public int destOffset(int i) {
        return ops[i * OP_FIELDS + 2];
    }

    /** Source type of stack op {@code i}. */
    public OpSrcType srcType(int i) {
        return OpSrcType.of(ops[i * OP_FIELDS + 3]);
    }

    /** Source register (or base register) of stack op {@code i}. */
    public int srcReg(int i) {
        return ops[i * OP_FIELDS + 4];
    }

    /** Source offset of stack op {@code i}. */
    public int srcOffset(int i) {
        return ops[i * OP_FIELDS + 5];
    }

    /** Stack op {@code i} as an immutable record (allocates). */
    public StackOp stackOp(int i) {
        if (i < 0 || i >= opCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return new StackOp(destType(i), destReg(i), destOffset(i), srcType(i), srcReg(i), srcOffset(i));
    }

    /** All stack ops as records (allocates). */
    public List<StackOp> stackOps() {
        List<StackOp> list = new ArrayList<>(opCount);
        for (int i = 0; i < opCount; i++) {
            list.add(stackOp(i));
        }
        return list;
    }

    // ---- writer side, used by decoders through io.objtool.api.internal.DecodeWriter (not exported) ----

    static {
        io.objtool.api.internal.DecodeWriter.install(new DecodeWriterAccess());
    }

    /** Resets everything; a decoder calls this first. */
    void reset() {
        status = (byte) DecodeStatus.INVALID_OPCODE.ordinal();
        length = 0;
        type = 0;
        immediate = 0;
        flags = 0;
        opcodeMap = 0;
        opcode = 0;
        modrm = -1;
        dispOffset = 0;
        dispSize = 0;
        immOffset = 0;
        immSize = 0;
        opCount = 0;
    }

    /**
     * Records a successful decoding in one call (the hot path): everything but the stack ops,
     * which are cleared.
     *
     * @param length     instruction length
     * @param type       {@link InsnType} ordinal
     * @param hasImm     whether {@code immediate} is meaningful ({@link #F_IMMEDIATE})
     * @param immediate  immediate or branch displacement
     * @param flags      other {@code F_*} flags
     * @param map        opcode map
     * @param opcode     opcode byte
     * @param modrm      ModRM byte or -1
     * @param dispOffset offset of the displacement in the instruction
     * @param dispSize   displacement size
     * @param immOffset  offset of the immediate in the instruction
     * @param immSize    immediate size
     */
    void set(int length, int type, boolean hasImm, long immediate, int flags, int map, int opcode,
             int modrm, int dispOffset, int dispSize, int immOffset, int immSize) {
        this.status = OK;
        this.length = length;
        this.type = type;
        this.immediate = hasImm ? immediate : 0;
        this.flags = hasImm ? flags | F_IMMEDIATE : flags;
        this.opcodeMap = map;
        this.opcode = opcode;
        this.modrm = modrm;
        this.dispOffset = dispOffset;
        this.dispSize = dispSize;
        this.immOffset = immOffset;
        this.immSize = immSize;
        this.opCount = 0;
    }

    /** Records the decoding outcome and instruction length. */
    void setResult(DecodeStatus status, int length) {
        this.status = (byte) status.ordinal();
        this.length = length;
    }

    /** Sets the instruction type. */
    void setType(InsnType type) {
        this.type = type.ordinal();
    }

    /** Sets the immediate (and {@link #F_IMMEDIATE}). */
    void setImmediate(long immediate) {
        this.immediate = immediate;
        this.flags |= F_IMMEDIATE;
    }

    /** Adds flags. */
    void addFlags(int f) {
        this.flags |= f;
    }

    /** Records the opcode map, opcode and ModRM (-1 for none). */
    void setOpcode(int map, int opcode, int modrm) {
        this.opcodeMap = map;
        this.opcode = opcode;
        this.modrm = modrm;
    }

    /** Records where the displacement and immediate sit inside the instruction. */
    void setLayout(int dispOffset, int dispSize, int immOffset, int immSize) {
        this.dispOffset = dispOffset;
        this.dispSize = dispSize;
        this.immOffset = immOffset;
        this.immSize = immSize;
    }

    /** Appends a stack op. */
    void addStackOp(OpSrcType srcType, int srcReg, int srcOffset,
                    OpDestType destType, int destReg, int destOffset) {
        if (opCount == MAX_STACK_OPS) {
            throw new IllegalStateException("too many stack ops");
        }
        int b = opCount++ * OP_FIELDS;
        ops[b] = destType.ordinal();
        ops[b + 1] = destReg;
        ops[b + 2] = destOffset;
        ops[b + 3] = srcType.ordinal();
        ops[b + 4] = srcReg;
        ops[b + 5] = srcOffset;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(status()).append(" len=").append(length);
        if (ok()) {
            sb.append(' ').append(type());
            if (has(F_IMMEDIATE)) {
                sb.append(" imm=").append(immediate);
            }
            for (int i = 0; i < opCount; i++) {
                sb.append(" [").append(stackOp(i)).append(']');
            }
        }
        return sb.toString();
    }
}
