package io.sourceflow.idempotency.jpa;

import io.sourceflow.config.ConfigDurations;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The module's own keys ({@code sourceflow.idempotency.jpa.*}).
 *
 * @param cleanupEnabled   {@code cleanup.enabled}, default true: schedule {@link IdempotencyCleanup} in this instance
 * @param cleanupInterval  {@code cleanup.interval}, default 5m
 * @param cleanupBatchSize {@code cleanup.batch-size}, default 500 rows per transaction
 */
public record JpaIdempotencySettings(boolean cleanupEnabled, Duration cleanupInterval, int cleanupBatchSize) {

    /** Prefix of the module's keys. */
    public static final String PREFIX = "sourceflow.idempotency.jpa.";
    static final String CLEANUP_ENABLED = PREFIX + "cleanup.enabled";
    static final String CLEANUP_INTERVAL = PREFIX + "cleanup.interval";
    static final String CLEANUP_BATCH_SIZE = PREFIX + "cleanup.batch-size";


    /**
     * Reads and validates the keys.
     *
     * @throws IllegalArgumentException naming every bad key
     */
    public static JpaIdempotencySettings read(Config config) {
        List<String> problems = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX) && !List.of(CLEANUP_ENABLED, CLEANUP_INTERVAL, CLEANUP_BATCH_SIZE).contains(name)) {
                problems.add(name + ": unknown key; known: " + CLEANUP_ENABLED + ", " + CLEANUP_INTERVAL + ", "
                        + CLEANUP_BATCH_SIZE);
            }
        }
        boolean enabled = true;
        Optional<String> enabledText = value(config, CLEANUP_ENABLED);
        if (enabledText.isPresent()) {
            switch (enabledText.get().toLowerCase(Locale.ROOT)) {
                case "true" -> enabled = true;
                case "false" -> enabled = false;
                default -> problems.add(CLEANUP_ENABLED + "='" + enabledText.get() + "': expected true or false");
            }
        }
        Duration interval = Duration.ofMinutes(5);
        Optional<String> intervalText = value(config, CLEANUP_INTERVAL);
        if (intervalText.isPresent()) {
            Optional<Duration> parsed = ConfigDurations.parse(intervalText.get());
            if (parsed.isEmpty() || parsed.get().compareTo(Duration.ofSeconds(1)) < 0
                    || parsed.get().compareTo(Duration.ofDays(1)) > 0) {
                problems.add(CLEANUP_INTERVAL + "='" + intervalText.get() + "': expected a duration between 1s and 1d, "
                        + "such as 30s, 5m or PT1H");
            } else {
                interval = parsed.get();
            }
        }
        int batch = IdempotencyCleanup.DEFAULT_BATCH_SIZE;
        Optional<String> batchText = value(config, CLEANUP_BATCH_SIZE);
        if (batchText.isPresent()) {
            try {
                batch = Integer.parseInt(batchText.get());
                if (batch < 1 || batch > 10_000) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add(CLEANUP_BATCH_SIZE + "='" + batchText.get() + "': expected a whole number from 1 to 10000");
                batch = IdempotencyCleanup.DEFAULT_BATCH_SIZE;
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid SourceFlow JPA idempotency configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
        return new JpaIdempotencySettings(enabled, interval, batch);
    }

    private static Optional<String> value(Config config, String key) {
        return config.getOptionalValue(key, String.class).map(String::trim).filter(s -> !s.isEmpty());
    }

}
