package io.sourceflow.aws.provisioning;

import java.util.regex.Pattern;

/**
 * An SNS topic that should exist.
 *
 * @param name a short topic name ({@code order-events}, {@code order-events.fifo}) or a full topic
 *     ARN, used as-is and never created. The topic is FIFO iff the name ends with {@code .fifo}.
 */
public record TopicSpec(String name) {

    private static final Pattern SHORT_NAME = Pattern.compile("[A-Za-z0-9_-]{1,251}(\\.fifo)?|[A-Za-z0-9_-]{1,256}");
    private static final Pattern ARN = Pattern.compile("arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}");

    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("TopicSpec.name must not be blank");
        }
        if (isArn(name) ? !ARN.matcher(name).matches() : !SHORT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("TopicSpec.name '" + name + "' is neither a valid topic name"
                    + " (letters, digits, '-' and '_', at most 256 characters, optional '.fifo' suffix) nor a topic"
                    + " ARN like arn:aws:sns:us-east-1:123456789012:order-events");
        }
    }

    /** Whether this is a FIFO topic: its name ends with {@code .fifo}. */
    public boolean isFifo() {
        return name.endsWith(QueueSpec.FIFO_SUFFIX);
    }

    /** Whether the name is a full ARN, used as-is and never created. */
    public boolean isArn() {
        return isArn(name);
    }

    static boolean isArn(String name) {
        return name.startsWith("arn:");
    }
}
