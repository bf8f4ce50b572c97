package io.sourceflow.aws.provisioning;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The URLs and ARNs of provisioned resources, keyed by the names exactly as given in the plan.
 *
 * @param queueUrls queue name to queue URL
 * @param queueArns queue name to queue ARN
 * @param deadLetterQueueUrls queue name to the URL of its dead-letter queue; in
 *     {@link ProvisioningMode#OFF} a dead-letter queue that cannot be resolved has no entry
 * @param topicArns topic name to topic ARN
 * @param visibilityTimeouts queue name to the queue's VisibilityTimeout as SQS reported it (no entry when the endpoint
 *     does not report it)
 */
public record ProvisionedResources(Map<String, String> queueUrls, Map<String, String> queueArns,
        Map<String, String> deadLetterQueueUrls, Map<String, String> topicArns, Map<String, Duration> visibilityTimeouts) {

    public ProvisionedResources {
        queueUrls = copy("queueUrls", queueUrls);
        queueArns = copy("queueArns", queueArns);
        deadLetterQueueUrls = copy("deadLetterQueueUrls", deadLetterQueueUrls);
        topicArns = copy("topicArns", topicArns);
        visibilityTimeouts = copy("visibilityTimeouts", visibilityTimeouts);
    }

    /** A queue's VisibilityTimeout as SQS reported it, if it did. */
    public Optional<Duration> visibilityTimeout(String queue) {
        return Optional.ofNullable(visibilityTimeouts.get(queue));
    }

    /** The URL of a queue of the plan; IllegalArgumentException naming the queue if unknown. */
    public String queueUrl(String queue) {
        return require(queueUrls, "queue", queue);
    }

    /** The ARN of a queue of the plan; IllegalArgumentException naming the queue if unknown. */
    public String queueArn(String queue) {
        return require(queueArns, "queue", queue);
    }

    /** The URL of a queue's dead-letter queue, if it is known. */
    public Optional<String> deadLetterQueueUrl(String queue) {
        return Optional.ofNullable(deadLetterQueueUrls.get(queue));
    }

    /** The ARN of a topic of the plan; IllegalArgumentException naming the topic if unknown. */
    public String topicArn(String topic) {
        return require(topicArns, "topic", topic);
    }

    private static String require(Map<String, String> map, String kind, String name) {
        String value = map.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no " + kind + " named '" + name + "' was provisioned; known: "
                    + map.keySet());
        }
        return value;
    }

    private static <V> Map<String, V> copy(String field, Map<String, V> map) {
        if (map == null) {
            throw new IllegalArgumentException("ProvisionedResources." + field + " must not be null");
        }
        return Map.copyOf(map);
    }
}
