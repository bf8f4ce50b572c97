package io.sourceflow.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How every SourceFlow duration key is written: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 14d}, or
 * ISO-8601 ({@code PT30S}). Shared by the modules that read {@code sourceflow.*} keys, so that they all accept the
 * same forms.
 */
public final class ConfigDurations {

    private static final Pattern SHORT_FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private ConfigDurations() {
    }

    /**
     * @param text the configured value
     * @return the duration, or empty if the text is no duration or a negative one
     */
    public static Optional<Duration> parse(String text) {
        Matcher m = SHORT_FORM.matcher(text.trim());
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
        }
        try {
            Duration d = Duration.parse(text.trim());
            return d.isNegative() ? Optional.empty() : Optional.of(d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
