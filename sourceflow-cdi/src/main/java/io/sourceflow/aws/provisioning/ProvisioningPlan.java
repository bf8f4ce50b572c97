package io.sourceflow.aws.provisioning;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The queues, topics and subscriptions a deployment needs. Validated on construction: names are
 * unique, every subscription names a queue and a topic of the plan, and a FIFO queue subscribes
 * only to FIFO topics and a standard queue only to standard topics (SNS rejects the mix).
 */
public record ProvisioningPlan(List<QueueSpec> queues, List<TopicSpec> topics, List<SubscriptionSpec> subscriptions) {

    public ProvisioningPlan {
        queues = copy("queues", queues);
        topics = copy("topics", topics);
        subscriptions = copy("subscriptions", subscriptions);

        List<String> errors = new ArrayList<>();
        Map<String, QueueSpec> queuesByName = new HashMap<>();
        Set<String> deadLetterNames = new HashSet<>();
        for (QueueSpec queue : queues) {
            if (queuesByName.putIfAbsent(queue.name(), queue) != null) {
                errors.add("queue '" + queue.name() + "' is listed twice");
            }
            if (!queue.isUrl()) {
                deadLetterNames.add(queue.deadLetterQueueName());
            }
        }
        for (QueueSpec queue : queues) {
            if (deadLetterNames.contains(queue.name())) {
                errors.add("queue '" + queue.name() + "' is also the dead-letter queue of another queue in the plan;"
                        + " rename it");
            }
        }
        Map<String, TopicSpec> topicsByName = new HashMap<>();
        for (TopicSpec topic : topics) {
            if (topicsByName.putIfAbsent(topic.name(), topic) != null) {
                errors.add("topic '" + topic.name() + "' is listed twice");
            }
        }
        Set<List<String>> pairs = new HashSet<>();
        for (SubscriptionSpec subscription : subscriptions) {
            QueueSpec queue = queuesByName.get(subscription.queue());
            TopicSpec topic = topicsByName.get(subscription.topic());
            if (queue == null) {
                errors.add("subscription of queue '" + subscription.queue() + "' to topic '" + subscription.topic()
                        + "' names a queue that is not in the plan's queues");
            }
            if (topic == null) {
                errors.add("subscription of queue '" + subscription.queue() + "' to topic '" + subscription.topic()
                        + "' names a topic that is not in the plan's topics");
            }
            if (!pairs.add(List.of(subscription.topic(), subscription.queue()))) {
                errors.add("queue '" + subscription.queue() + "' is subscribed to topic '" + subscription.topic()
                        + "' twice; merge the types into one subscription");
            }
            if (queue != null && topic != null && queue.isFifo() != topic.isFifo()) {
                errors.add((queue.isFifo() ? "FIFO" : "standard") + " queue '" + queue.name() + "' cannot subscribe to "
                        + (topic.isFifo() ? "FIFO" : "standard") + " topic '" + topic.name() + "' (SNS rejects it):"
                        + " FIFO queues (names ending .fifo) subscribe only to FIFO topics, standard queues only to"
                        + " standard topics");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid provisioning plan: " + String.join("; ", errors));
        }
    }

    /** A plan of queues only (no SNS). */
    public static ProvisioningPlan ofQueues(List<QueueSpec> queues) {
        return new ProvisioningPlan(queues, List.of(), List.of());
    }

    private static <T> List<T> copy(String field, List<T> list) {
        if (list == null) {
            throw new IllegalArgumentException("ProvisioningPlan." + field + " must not be null (use an empty list)");
        }
        for (T item : list) {
            if (item == null) {
                throw new IllegalArgumentException("ProvisioningPlan." + field + " must not contain null");
            }
        }
        return List.copyOf(list);
    }
}
