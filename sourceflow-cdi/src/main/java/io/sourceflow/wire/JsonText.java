package io.sourceflow.wire;

/** JSON string escaping for the hand-written parts of the envelope. */
final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /**
     * Appends {@code value} as a JSON string. Escapes what RFC 8259 requires ({@code "}, {@code \}
     * and U+0000-U+001F), plus U+2028/U+2029 (line terminators in JavaScript source) and unpaired
     * surrogates (which cannot be encoded in UTF-8 and would otherwise turn into '?').
     * Other non-ASCII characters, including surrogate pairs, are written as they are.
     */
    static void appendQuoted(StringBuilder out, String value) {
        out.append('"');
        int length = value.length();
        int plainFrom = 0;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++; // a well-formed pair (e.g. an emoji) is written as it is
                continue;
            }
            out.append(value, plainFrom, i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u")
                        .append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                        .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
            }
            plainFrom = i + 1;
        }
        out.append(value, plainFrom, length);
        out.append('"');
    }
}
