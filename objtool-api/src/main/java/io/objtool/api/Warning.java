package io.objtool.api;

/**
 * One warning as objtool prints it ({@link #line()}), with its parts for machine-readable output.
 *
 * @param file the object's name
 * @param section the section it is about, or null for file-level warnings
 * @param offset the offset in that section, or -1
 * @param function the function (or symbol) covering the location, or null
 * @param functionOffset the offset from that symbol, or -1
 * @param message the message without location
 * @param rule the rule it belongs to
 * @param line the whole line as objtool prints it
 */
public record Warning(String file, String section, long offset, String function, long functionOffset,
    String message, Rule rule, String line) {}
