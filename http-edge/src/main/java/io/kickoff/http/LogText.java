package io.kickoff.http;

/**
 * Values from clients (ids, reasons, segments, paths) as they may appear in a log line: control characters are
 * escaped, so that a value cannot end the line and forge the next one.
 */
public final class LogText {
    private static final int MAX = 256;

    private LogText() {
    }

    /** {@code value} with CR, LF, TAB as {@code \r \n \t}, other control characters and backslashes escaped, cut at 256 characters. */
    public static String escape(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        StringBuilder out = null;
        int n = Math.min(s.length(), MAX);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String replacement = switch (c) {
                case '\r' -> "\\r";
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        String result = out == null ? s.substring(0, n) : out.toString();
        return s.length() > MAX ? result + "…" : result;
    }
}
