package io.objtool.api;

/**
 * One warning as objtool prints it ({@link #line()}), with its parts for machine-readable output:
 * the section and offset it is about (null/-1 for file-level warnings), the function if any, the
 * message, and a rule id (the pass or check that raised it).
 */
public record Warning(String file, String section, long offset, String function, long functionOffset,
    String message, String rule, String line) {}
