package io.sourceflow.wire;

/**
 * A value read from the wire, made fit for a log line or an error message: control characters (newlines included,
 * which could forge log entries) and Unicode line separators are escaped, and it is cut to 120 characters.
 */
public final class WireText {

    private static final int MAX_LENGTH = 120;

    private WireText() {
    }

    /** The value with control characters escaped as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}. */
    public static String escape(String value) {
        return escape(value, MAX_LENGTH);
    }

    /** As {@link #escape(String)}, cut to {@code maxLength} characters instead. */
    public static String escape(String value, int maxLength) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxLength) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (out.length() >= maxLength) {
                return out.append("...").toString();
            }
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || (c >= 0x80 && c < 0xa0)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Whether the value has no control characters or line separators (it can be written to a log as it is). */
    public static boolean isPrintable(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!isPrintable(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the character is none of U+0000-001F, U+007F-009F, U+2028 and U+2029. */
    static boolean isPrintable(char c) {
        return !(c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || (c >= 0x80 && c < 0xa0));
    }
}
