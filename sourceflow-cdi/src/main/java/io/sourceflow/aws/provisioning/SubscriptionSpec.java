package io.sourceflow.aws.provisioning;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A subscription of a queue to a topic, with raw message delivery and an SNS filter policy that
 * lets through only messages whose attribute {@code sourceflow.type} is one of {@link #types()}:
 * {@code {"sourceflow.type":["A","B"]}}.
 *
 * @param topic the topic, exactly as named in the plan's {@link TopicSpec}
 * @param queue the queue, exactly as named in the plan's {@link QueueSpec}
 * @param types the logical message type names to receive, 1 to 150 (SNS's filter policy limit)
 */
public record SubscriptionSpec(String topic, String queue, SortedSet<String> types) {

    /** The message attribute the filter policy matches on. */
    public static final String TYPE_ATTRIBUTE = "sourceflow.type";
    static final int MAX_TYPES = 150;

    public SubscriptionSpec {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("SubscriptionSpec.topic must not be blank");
        }
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("SubscriptionSpec.queue must not be blank (topic '" + topic + "')");
        }
        if (types == null || types.isEmpty()) {
            throw new IllegalArgumentException("SubscriptionSpec.types of queue '" + queue + "' on topic '" + topic
                    + "' must name at least one message type");
        }
        if (types.size() > MAX_TYPES) {
            throw new IllegalArgumentException("SubscriptionSpec.types of queue '" + queue + "' on topic '" + topic
                    + "' has " + types.size() + " types; an SNS filter policy allows at most " + MAX_TYPES);
        }
        TreeSet<String> copy = new TreeSet<>();
        for (String type : types) {
            if (type == null || type.isBlank()) {
                throw new IllegalArgumentException("SubscriptionSpec.types of queue '" + queue + "' on topic '"
                        + topic + "' contains a blank type");
            }
            copy.add(type);
        }
        types = Collections.unmodifiableSortedSet(copy);
    }

    /** A subscription receiving the given types. */
    public static SubscriptionSpec of(String topic, String queue, String... types) {
        return new SubscriptionSpec(topic, queue, new TreeSet<>(java.util.List.of(types)));
    }
}
