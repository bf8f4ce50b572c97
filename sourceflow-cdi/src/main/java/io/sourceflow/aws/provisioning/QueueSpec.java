package io.sourceflow.aws.provisioning;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * An SQS queue that should exist, with a dead-letter queue named {@link #deadLetterQueueName()}.
 *
 * @param name a short queue name ({@code orders}, {@code orders.fifo}) or a full queue URL; a URL
 *     is used as-is (possibly in another account) and is never created or changed, only resolved
 *     and verified. The queue is FIFO iff the name ends with {@code .fifo}.
 * @param visibilityTimeout whole seconds, 0 s to 12 h
 * @param retention message retention, whole seconds, 60 s to 14 days
 * @param maximumMessageSize bytes, 1024 to 1048576
 * @param maxReceiveCount receives before SQS moves a message to the dead-letter queue, 1 to 1000
 */
public record QueueSpec(String name, Duration visibilityTimeout, Duration retention, int maximumMessageSize,
        int maxReceiveCount) {

    /** Default visibility timeout: 30 s (as SQS). */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);
    /** Default retention: 4 days (as SQS). */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(4);
    /** Default maximum message size: 256 KiB. */
    public static final int DEFAULT_MAXIMUM_MESSAGE_SIZE = 262_144;
    /** Default receives before dead-lettering: 5. */
    public static final int DEFAULT_MAX_RECEIVE_COUNT = 5;

    static final String FIFO_SUFFIX = ".fifo";
    static final String DLQ_SUFFIX = "-dlq";
    // SQS allows 80 characters; the DLQ name adds "-dlq", so the queue's own name gets 76.
    private static final Pattern SHORT_NAME = Pattern.compile("[A-Za-z0-9_-]{1,71}(\\.fifo)?|[A-Za-z0-9_-]{1,76}");

    public QueueSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("QueueSpec.name must not be blank");
        }
        if (isUrl(name)) {
            validateUrl(name);
        } else if (!SHORT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("QueueSpec.name '" + name + "' is not a valid queue name: use"
                    + " letters, digits, '-' and '_', at most 76 characters including an optional '.fifo' suffix"
                    + " (the dead-letter queue adds '-dlq'), or a full queue URL");
        }
        requireSeconds("visibilityTimeout", name, visibilityTimeout, Duration.ZERO, Duration.ofHours(12));
        requireSeconds("retention", name, retention, Duration.ofSeconds(60), Duration.ofDays(14));
        if (maximumMessageSize < 1024 || maximumMessageSize > 1_048_576) {
            throw new IllegalArgumentException("QueueSpec.maximumMessageSize of queue '" + name + "' is "
                    + maximumMessageSize + "; it must be 1024 to 1048576 bytes");
        }
        if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
            throw new IllegalArgumentException("QueueSpec.maxReceiveCount of queue '" + name + "' is "
                    + maxReceiveCount + "; it must be 1 to 1000");
        }
    }

    /** A queue with the default visibility timeout, retention, maximum size and receive count. */
    public static QueueSpec of(String name) {
        return new QueueSpec(name, DEFAULT_VISIBILITY_TIMEOUT, DEFAULT_RETENTION, DEFAULT_MAXIMUM_MESSAGE_SIZE,
                DEFAULT_MAX_RECEIVE_COUNT);
    }

    /** Whether this is a FIFO queue: its name ends with {@code .fifo}. */
    public boolean isFifo() {
        return name.endsWith(FIFO_SUFFIX);
    }

    /** Whether the name is a full queue URL, used as-is and never created. */
    public boolean isUrl() {
        return isUrl(name);
    }

    /**
     * The short name of the dead-letter queue: {@code <name>-dlq}, or {@code x-dlq.fifo} for
     * {@code x.fifo}. Only meaningful for short names: the DLQ of a queue given by URL is found
     * through its redrive policy.
     */
    public String deadLetterQueueName() {
        return isFifo()
                ? name.substring(0, name.length() - FIFO_SUFFIX.length()) + DLQ_SUFFIX + FIFO_SUFFIX
                : name + DLQ_SUFFIX;
    }

    static boolean isUrl(String name) {
        return name.startsWith("https://") || name.startsWith("http://");
    }

    private static void validateUrl(String url) {
        try {
            URI uri = URI.create(url);
            String path = uri.getPath();
            if (uri.getHost() == null || path == null || path.isEmpty() || path.endsWith("/")) {
                throw new IllegalArgumentException("no queue name at the end");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("QueueSpec.name '" + url + "' is not a valid queue URL ("
                    + e.getMessage() + "); expected e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders", e);
        }
    }

    private static void requireSeconds(String field, String queue, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new IllegalArgumentException("QueueSpec." + field + " of queue '" + queue + "' must not be null");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0 || value.toNanosPart() != 0) {
            throw new IllegalArgumentException("QueueSpec." + field + " of queue '" + queue + "' is " + value
                    + "; it must be whole seconds from " + min + " to " + max);
        }
    }
}
