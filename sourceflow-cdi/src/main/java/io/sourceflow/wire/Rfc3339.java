package io.sourceflow.wire;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Parses an RFC 3339 date-time (section 5.6), the form of the CloudEvents {@code time} attribute, without
 * {@link java.time.format.DateTimeFormatter}, whose general parser cost more than the rest of decoding a CloudEvent
 * and also accepts what RFC 3339 does not (no seconds, an offset without minutes or with seconds, an empty fraction).
 *
 * <p>The form: {@code yyyy-MM-ddTHH:mm:ss}, an optional fraction of one or more digits (the first 9 are kept, the
 * rest cut off), then {@code Z} or {@code ±HH:mm}; {@code T} and {@code Z} in either case. Beyond RFC 3339 it rejects a
 * leap second (second 60: {@link Instant} has none) and offsets beyond ±18:00 ({@link ZoneOffset}'s range; real ones
 * lie within -12:00 and +14:00). The JSON Schema's pattern for {@code time} says the same.
 */
final class Rfc3339 {

    private static final int NANO_DIGITS = 9;

    private Rfc3339() {
    }

    /**
     * @param text the date-time
     * @return the instant
     * @throws DateTimeException if the text is not of the form above, or a field is out of range (month 13,
     *                           30 February, hour 24, second 60, offset +18:30); the message does not quote the text
     */
    static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || (text.charAt(10) != 'T' && text.charAt(10) != 't')
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            throw notRfc3339();
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            throw notRfc3339();
        }
        int position = 19;
        int nanos = 0;
        if (text.charAt(position) == '.') {
            int start = ++position;
            while (position < length && isDigit(text.charAt(position))) {
                if (position - start < NANO_DIGITS) {
                    nanos = nanos * 10 + (text.charAt(position) - '0');
                }
                position++;
            }
            int fractionDigits = position - start;
            if (fractionDigits == 0) {
                throw notRfc3339();
            }
            for (int i = fractionDigits; i < NANO_DIGITS; i++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (position == length - 1 && (text.charAt(position) == 'Z' || text.charAt(position) == 'z')) {
            offsetSeconds = 0;
        } else if (position == length - 6 && (text.charAt(position) == '+' || text.charAt(position) == '-')
                && text.charAt(position + 3) == ':') {
            int offsetHours = digits(text, position + 1, 2);
            int offsetMinutes = digits(text, position + 4, 2);
            if ((offsetHours | offsetMinutes) < 0 || offsetMinutes > 59) {
                throw notRfc3339();
            }
            // ZoneOffset rejects more than 18 hours
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (text.charAt(position) == '-' ? -1 : 1);
        } else {
            throw notRfc3339();
        }
        LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
        return Instant.ofEpochSecond(local.toEpochSecond(ZoneOffset.ofTotalSeconds(offsetSeconds)), nanos);
    }

    private static DateTimeException notRfc3339() {
        return new DateTimeException("not an RFC 3339 date-time");
    }

    /** The number written by {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
