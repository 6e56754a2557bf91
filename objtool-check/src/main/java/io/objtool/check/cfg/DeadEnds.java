package io.objtool.check.cfg;

import io.objtool.api.internal.Model;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which functions never return: those of the kernel's global noreturn list and the architecture's
 * own ({@link io.objtool.api.arch.Arch#noreturnFunctions()}, arm64's), and local functions
 * without a return instruction whose sibling calls (if any) go to such functions.
 */
public final class DeadEnds {
  /** The noreturn functions objtool 6.12 knows by name (read from its binary). */
  public static final Set<String> GLOBAL_NORETURNS = Set.of(
      "__fortify_panic", "__ia32_sys_exit", "__ia32_sys_exit_group", "__kunit_abort",
      "__module_put_and_kthread_exit", "__reiserfs_panic", "__stack_chk_fail",
      "__tdx_hypercall_failed", "__ubsan_handle_builtin_unreachable", "__x64_sys_exit",
      "__x64_sys_exit_group", "arch_cpu_idle_dead", "bch2_trans_in_restart_error",
      "bch2_trans_restart_error", "bch2_trans_unlocked_error", "cpu_bringup_and_idle",
      "cpu_startup_entry", "do_exit", "do_group_exit", "do_task_dead", "ex_handler_msr_mce",
      "hlt_play_dead", "hv_ghcb_terminate", "kthread_complete_and_exit",
      "kthread_exit", "kunit_try_catch_throw", "machine_real_restart", "make_task_dead",
      "mpt_halt_firmware", "nmi_panic_self_stop", "panic", "panic_smp_self_stop", "rest_init",
      "rewind_stack_and_make_dead", "rust_begin_unwind", "rust_helper_BUG", "sev_es_terminate",
      "snp_abort", "start_kernel", "stop_this_cpu", "usercopy_abort", "x86_64_start_kernel",
      "x86_64_start_reservations", "xen_cpu_bringup_again", "xen_start_kernel");

  /** The noreturn functions objtool 6.1 knows by name. */
  public static final Set<String> GLOBAL_NORETURNS_6_1 = Set.of(
      "__invalid_creds", "__module_put_and_kthread_exit", "__reiserfs_panic", "__stack_chk_fail",
      "__ubsan_handle_builtin_unreachable", "cpu_bringup_and_idle", "cpu_startup_entry", "do_exit",
      "do_group_exit", "do_task_dead", "ex_handler_msr_mce", "fortify_panic",
      "kthread_complete_and_exit", "kthread_exit", "kunit_try_catch_throw", "lbug_with_loc",
      "machine_real_restart", "make_task_dead", "panic", "rewind_stack_and_make_dead",
      "sev_es_terminate", "snp_abort", "stop_this_cpu", "usercopy_abort", "xen_start_kernel");

  private final ObjtoolFile file;
  private final Set<String> noreturns;
  private final Set<String> archNoreturns;
  private final Map<Func, Boolean> cache = new IdentityHashMap<>();

  public DeadEnds(ObjtoolFile file) {
    this.file = file;
    this.noreturns = file.compat() == io.objtool.api.Compat.V6_1 ? GLOBAL_NORETURNS_6_1 : GLOBAL_NORETURNS;
    this.archNoreturns = file.arch().noreturnFunctions();
  }

  public boolean isDeadEnd(Func func) {
    if (func == null) return false;
    Boolean c = cache.get(func);
    if (c != null) return c;
    boolean r = compute(func, 0);
    cache.put(func, r);
    return r;
  }

  private boolean compute(Func func, int depth) {
    int bind = func.symbol().bind();
    if ((bind == Elf.STB_GLOBAL || bind == Elf.STB_WEAK)
        && (noreturns.contains(func.name()) || archNoreturns.contains(func.name()))) return true;
    if (bind == Elf.STB_WEAK) return false;
    if (func.len() == 0 || func.section() == null) return false;
    Instruction first = file.insns().findInsn(func.section(), func.offset());
    if (first == null || first.func() == null) return false;
    boolean empty = true;
    for (Instruction insn : file.insns().funcInsns(func)) {
      empty = false;
      if (insn.type() == InsnType.RETURN) return false;
    }
    if (empty) return false;
    for (Instruction insn : file.insns().funcInsns(func)) {
      if (isSiblingCall(insn)) {
        Instruction dest = insn.jumpDest();
        if (dest == null) return false; // to another object
        if (depth == 5) return false; // functions sibling-calling each other
        return compute(dest.func(), depth + 1);
      }
    }
    return true;
  }

  /** A jump that leaves the function: dynamic without a jump table, or static with a call destination. */
  public static boolean isSiblingCall(Instruction insn) {
    if (insn.func() != null && insn.type() == InsnType.JUMP_DYNAMIC) return !JumpTables.isJumpTableJump(insn);
    return insn.isStaticJump() && insn.callDest() != null;
  }
}
