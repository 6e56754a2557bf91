package io.objtool.check.passes;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import com.google.auto.service.AutoService;
import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.StateSlot;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.List;

/**
 * {@code --uaccess}: SMAP rules. Between STAC and CLAC (user access enabled) only UACCESS-safe
 * functions may be called; a function returns with user access as it found it; STAC twice, CLAC
 * without STAC and a UACCESS-safe function disabling user access are errors.
 *
 * <p>PUSHF and POPF save and restore the state on a small stack, but only in alternative code
 * (as {@code smap_save()} / {@code smap_restore()} use them): elsewhere they have no effect,
 * as in objtool 6.12 (measured).
 */
@AutoService(Pass.class)
public final class UaccessPass implements Pass {
  /** Rule {@code recursive-uaccess-enable}: `stac` while user access is already enabled. */
  public static final Rule RECURSIVE_UACCESS_ENABLE = Rule.warning("recursive-uaccess-enable", "`stac` while user access is already enabled.");
  /** Rule {@code redundant-uaccess-disable}: `clac` while user access is already disabled. */
  public static final Rule REDUNDANT_UACCESS_DISABLE = Rule.warning("redundant-uaccess-disable", "`clac` while user access is already disabled.");
  /** Rule {@code uaccess-safe-disables-uaccess}: A function marked UACCESS-safe executes `clac`. */
  public static final Rule UACCESS_SAFE_DISABLES_UACCESS = Rule.warning("uaccess-safe-disables-uaccess", "A function marked UACCESS-safe executes `clac`.");
  /** Rule {@code pushf-stack-exhausted}: More than 31 nested `pushf` in alternatives while tracking user access. */
  public static final Rule PUSHF_STACK_EXHAUSTED = Rule.warning("pushf-stack-exhausted", "More than 31 nested `pushf` in alternatives while tracking user access.");
  /** Rule {@code return-with-uaccess-enabled}: A return from a normal function with user access enabled. */
  public static final Rule RETURN_WITH_UACCESS_ENABLED = Rule.warning("return-with-uaccess-enabled", "A return from a normal function with user access enabled.");
  /** Rule {@code call-with-uaccess-enabled}: A call made while user access is enabled. */
  public static final Rule CALL_WITH_UACCESS_ENABLED = Rule.warning("call-with-uaccess-enabled", "A call made while user access is enabled.");
  /** Rule {@code return-with-uaccess-disabled-from-safe}: A UACCESS-safe function returns with user access disabled. */
  public static final Rule RETURN_WITH_UACCESS_DISABLED_FROM_SAFE = Rule.warning("return-with-uaccess-disabled-from-safe", "A UACCESS-safe function returns with user access disabled.");

  /** Functions known to be safe to call with user access enabled: objtool 6.12's list, read from its binary. */
  public static final List<String> UACCESS_SAFE = List.of(
      "kasan_report", "kasan_check_range", "__asan_loadN_noabort", "__asan_load1_noabort",
      "__asan_load2_noabort", "__asan_load4_noabort", "__asan_load8_noabort",
      "__asan_load16_noabort", "__asan_storeN_noabort", "__asan_store1_noabort",
      "__asan_store2_noabort", "__asan_store4_noabort", "__asan_store8_noabort",
      "__asan_store16_noabort", "__kasan_check_read", "__kasan_check_write",
      "__asan_report_load_n_noabort", "__asan_report_load1_noabort", "__asan_report_load2_noabort",
      "__asan_report_load4_noabort", "__asan_report_load8_noabort", "__asan_report_load16_noabort",
      "__asan_report_store_n_noabort", "__asan_report_store1_noabort",
      "__asan_report_store2_noabort", "__asan_report_store4_noabort",
      "__asan_report_store8_noabort", "__asan_report_store16_noabort", "__kcsan_check_access",
      "__kcsan_mb", "__kcsan_wmb", "__kcsan_rmb", "__kcsan_release", "kcsan_found_watchpoint",
      "kcsan_setup_watchpoint", "kcsan_check_scoped_accesses", "kcsan_disable_current",
      "kcsan_enable_current_nowarn", "__tsan_func_entry", "__tsan_func_exit", "__tsan_read_range",
      "__tsan_write_range", "__tsan_read1", "__tsan_read2", "__tsan_read4", "__tsan_read8",
      "__tsan_read16", "__tsan_write1", "__tsan_write2", "__tsan_write4", "__tsan_write8",
      "__tsan_write16", "__tsan_read_write1", "__tsan_read_write2", "__tsan_read_write4",
      "__tsan_read_write8", "__tsan_read_write16", "__tsan_volatile_read1",
      "__tsan_volatile_read2", "__tsan_volatile_read4", "__tsan_volatile_read8",
      "__tsan_volatile_read16", "__tsan_volatile_write1", "__tsan_volatile_write2",
      "__tsan_volatile_write4", "__tsan_volatile_write8", "__tsan_volatile_write16",
      "__tsan_atomic8_load", "__tsan_atomic16_load", "__tsan_atomic32_load",
      "__tsan_atomic64_load", "__tsan_atomic8_store", "__tsan_atomic16_store",
      "__tsan_atomic32_store", "__tsan_atomic64_store", "__tsan_atomic8_exchange",
      "__tsan_atomic16_exchange", "__tsan_atomic32_exchange", "__tsan_atomic64_exchange",
      "__tsan_atomic8_fetch_add", "__tsan_atomic16_fetch_add", "__tsan_atomic32_fetch_add",
      "__tsan_atomic64_fetch_add", "__tsan_atomic8_fetch_sub", "__tsan_atomic16_fetch_sub",
      "__tsan_atomic32_fetch_sub", "__tsan_atomic64_fetch_sub", "__tsan_atomic8_fetch_and",
      "__tsan_atomic16_fetch_and", "__tsan_atomic32_fetch_and", "__tsan_atomic64_fetch_and",
      "__tsan_atomic8_fetch_or", "__tsan_atomic16_fetch_or", "__tsan_atomic32_fetch_or",
      "__tsan_atomic64_fetch_or", "__tsan_atomic8_fetch_xor", "__tsan_atomic16_fetch_xor",
      "__tsan_atomic32_fetch_xor", "__tsan_atomic64_fetch_xor", "__tsan_atomic8_fetch_nand",
      "__tsan_atomic16_fetch_nand", "__tsan_atomic32_fetch_nand", "__tsan_atomic64_fetch_nand",
      "__tsan_atomic8_compare_exchange_strong", "__tsan_atomic16_compare_exchange_strong",
      "__tsan_atomic32_compare_exchange_strong", "__tsan_atomic64_compare_exchange_strong",
      "__tsan_atomic8_compare_exchange_weak", "__tsan_atomic16_compare_exchange_weak",
      "__tsan_atomic32_compare_exchange_weak", "__tsan_atomic64_compare_exchange_weak",
      "__tsan_atomic8_compare_exchange_val", "__tsan_atomic16_compare_exchange_val",
      "__tsan_atomic32_compare_exchange_val", "__tsan_atomic64_compare_exchange_val",
      "__tsan_atomic_thread_fence", "__tsan_atomic_signal_fence", "__tsan_unaligned_read16",
      "__tsan_unaligned_write16", "write_comp_data", "check_kcov_mode", "__sanitizer_cov_trace_pc",
      "__sanitizer_cov_trace_const_cmp1", "__sanitizer_cov_trace_const_cmp2",
      "__sanitizer_cov_trace_const_cmp4", "__sanitizer_cov_trace_const_cmp8",
      "__sanitizer_cov_trace_cmp1", "__sanitizer_cov_trace_cmp2", "__sanitizer_cov_trace_cmp4",
      "__sanitizer_cov_trace_cmp8", "__sanitizer_cov_trace_switch", "kmsan_copy_to_user",
      "kmsan_disable_current", "kmsan_enable_current", "kmsan_report", "kmsan_unpoison_entry_regs",
      "kmsan_unpoison_memory", "__msan_chain_origin", "__msan_get_context_state",
      "__msan_instrument_asm_store", "__msan_metadata_ptr_for_load_1",
      "__msan_metadata_ptr_for_load_2", "__msan_metadata_ptr_for_load_4",
      "__msan_metadata_ptr_for_load_8", "__msan_metadata_ptr_for_load_n",
      "__msan_metadata_ptr_for_store_1", "__msan_metadata_ptr_for_store_2",
      "__msan_metadata_ptr_for_store_4", "__msan_metadata_ptr_for_store_8",
      "__msan_metadata_ptr_for_store_n", "__msan_poison_alloca", "__msan_warning",
      "ubsan_type_mismatch_common", "__ubsan_handle_type_mismatch",
      "__ubsan_handle_type_mismatch_v1", "__ubsan_handle_shift_out_of_bounds",
      "__ubsan_handle_load_invalid_value", "stackleak_track_stack", "ftrace_likely_update",
      "__stack_chk_fail", "csum_partial_copy_generic", "copy_mc_fragile",
      "copy_mc_fragile_handle_tail", "copy_mc_enhanced_fast_string", "rep_stos_alternative",
      "rep_movs_alternative", "copy_to_nontemporal");

  @Override
  public String option() {
    return "uaccess";
  }

  @Override
  public String help() {
    return "validate uaccess rules for SMAP";
  }

  @Override
  public boolean enabled(Options options) {
    return options.uaccess();
  }

  @Override
  public int order() {
    return 10;
  }

  private static boolean safe(ObjtoolFile file, Symbol s) {
    if (s == null) return false;
    Func f = file.func(s);
    return f.alias().uaccessSafe();
  }

  private static String callDestName(Instruction insn) {
    return insn.callDest() != null ? insn.callDest().name() : "{dynamic}";
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    for (String name : UACCESS_SAFE) {
      Symbol s = file.elf().symbol(name);
      if (s != null) Model.setUaccessSafe(file.func(s));
    }
    StateSlot uaccess = file.newStateSlot("uaccess", true);
    StateSlot uaccessStack = file.newStateSlot("uaccess-pushf-stack", false);
    return new BranchVisitor(BranchVisitor.API_1, next) {
      @Override
      public void visitStart(Section sec, Func func, InsnState state) {
        if (func != null) state.set(uaccess, func.uaccessSafe());
        super.visitStart(sec, func, state);
      }

      private boolean warn(Instruction insn, Rule rule, String msg) {
        file.diag().warnInsn(insn, rule, msg);
        return true;
      }

      @Override
      public boolean visitInsn(Func func, Instruction insn, InsnState state) {
        switch (insn.type()) {
          case STAC -> {
            if (state.is(uaccess)) return warn(insn, RECURSIVE_UACCESS_ENABLE, "recursive UACCESS enable");
            state.set(uaccess, true);
          }
          case CLAC -> {
            if (!state.is(uaccess) && func != null) return warn(insn, REDUNDANT_UACCESS_DISABLE, "redundant UACCESS disable");
            if (func != null && func.alias().uaccessSafe() && state.get(uaccessStack) == 0) {
              return warn(insn, UACCESS_SAFE_DISABLES_UACCESS, "UACCESS-safe disables UACCESS");
            }
            state.set(uaccess, false);
          }
          default -> { }
        }
        return super.visitInsn(func, insn, state);
      }

      @Override
      public boolean visitStackOp(Instruction insn, int op, InsnState state) {
        if (insn.altGroup() == null) return super.visitStackOp(insn, op, state);
        if (file.opDestType(insn, op) == io.objtool.api.arch.OpDestType.PUSHF) {
          int stack = state.get(uaccessStack);
          if (stack == 0) {
            stack = 1;
          } else if ((stack >>> 31) != 0) {
            return warn(insn, PUSHF_STACK_EXHAUSTED, "PUSHF stack exhausted");
          }
          state.set(uaccessStack, (stack << 1) | (state.is(uaccess) ? 1 : 0));
        }
        int stack = state.get(uaccessStack);
        if (file.opSrcType(insn, op) == io.objtool.api.arch.OpSrcType.POPF && stack != 0) {
          state.set(uaccess, (stack & 1) != 0);
          stack >>>= 1;
          state.set(uaccessStack, stack == 1 ? 0 : stack);
        }
        return super.visitStackOp(insn, op, state);
      }

      @Override
      public boolean visitCall(Func func, Instruction insn, InsnState state) {
        if (state.is(uaccess) && !safe(file, insn.callDest())) {
          return warn(insn, CALL_WITH_UACCESS_ENABLED, "call to " + callDestName(insn) + "() with UACCESS enabled");
        }
        return super.visitCall(func, insn, state);
      }

      @Override
      public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
        if (state.is(uaccess) && !safe(file, insn.callDest())) {
          return warn(insn, CALL_WITH_UACCESS_ENABLED, "call to " + callDestName(insn) + "() with UACCESS enabled");
        }
        return super.visitSiblingCall(func, insn, state);
      }

      @Override
      public boolean visitReturn(Func func, Instruction insn, InsnState state) {
        boolean funcSafe = func != null && func.alias().uaccessSafe();
        if (state.is(uaccess) && !funcSafe) return warn(insn, RETURN_WITH_UACCESS_ENABLED, "return with UACCESS enabled");
        if (!state.is(uaccess) && funcSafe) return warn(insn, RETURN_WITH_UACCESS_DISABLED_FROM_SAFE, "return with UACCESS disabled from a UACCESS-safe function");
        return super.visitReturn(func, insn, state);
      }
    };
  }
}
