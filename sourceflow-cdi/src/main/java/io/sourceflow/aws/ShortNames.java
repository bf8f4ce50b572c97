package io.sourceflow.aws;

/**
 * The short name of a queue or topic, also when it is given by URL ({@code https://sqs.../123456789012/orders}) or ARN
 * ({@code arn:aws:sns:...:order-events}): what follows the last {@code /} or {@code :}. Queue and topic names cannot
 * contain either. This is exactly the destination that encryption binds into its context (docs/encryption.md), so it
 * must not change. Internal to SourceFlow.
 */
public final class ShortNames {

    private ShortNames() {
    }

    /** The short name of a queue or topic name, URL or ARN. */
    public static String of(String destination) {
        String name = destination.trim();
        int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf(':'));
        return cut >= 0 && cut < name.length() - 1 ? name.substring(cut + 1) : name;
    }
}
