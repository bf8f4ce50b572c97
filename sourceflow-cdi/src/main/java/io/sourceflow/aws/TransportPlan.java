package io.sourceflow.aws;

import io.sourceflow.aws.provisioning.ProvisioningPlan;
import io.sourceflow.aws.provisioning.QueueSpec;
import io.sourceflow.aws.provisioning.SubscriptionSpec;
import io.sourceflow.aws.provisioning.TopicSpec;
import io.sourceflow.config.AwsSettings;
import io.sourceflow.config.InvalidConfigurationException;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.core.HandlerRegistry;
import io.sourceflow.core.MessageDescriptor;
import io.sourceflow.core.MessageKind;
import io.sourceflow.core.Route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a deployment does on AWS, derived once from its handlers and configuration: the queues it sends
 * to and polls, the topics it publishes to, and its event queues with their subscriptions. A deployment
 * polls the queue of every routed command it handles, and owns one event queue per kind of topic
 * ({@code <service>-events}, {@code <service>-events.fifo}) subscribed to the topics of the routed events
 * it handles, with a filter policy that lets exactly those types through. Built once per deployment (the extension
 * registers it as a bean). Internal to SourceFlow.
 *
 * @param sendQueues queues that routed commands go to (known at startup)
 * @param listenQueues queues polled for commands
 * @param topics topics that routed events go to, or that event queues subscribe to
 * @param eventQueues event queue name to (topic to the logical types it lets through)
 */
public record TransportPlan(Set<String> sendQueues, Set<String> listenQueues, Set<String> topics,
                     Map<String, Map<String, SortedSet<String>>> eventQueues) {

    /** The suffix of the event queue's name after the service name. */
    public static final String EVENT_QUEUE_SUFFIX = "-events";

    public static TransportPlan of(HandlerRegistry registry, SourceFlowConfig config) {
        AwsSettings aws = config.aws();
        Set<String> sendQueues = new LinkedHashSet<>(aws.commandRouting() ? config.commandRoutes().values() : Set.of());
        Set<String> listenQueues = new LinkedHashSet<>();
        Set<String> topics = new LinkedHashSet<>(aws.eventRouting() ? config.eventRoutes().values() : Set.of());
        Map<String, SortedSet<String>> typesByTopic = new LinkedHashMap<>();
        SortedSet<String> handledEvents = new TreeSet<>();

        for (MessageDescriptor descriptor : registry.handledTypes()) {
            Route route = descriptor.route().orElse(null);
            if (descriptor.kind() == MessageKind.COMMAND) {
                if (route != null) {
                    if (aws.commandRouting()) {
                        sendQueues.add(route.destination());
                    }
                    if (aws.commandListener()) {
                        listenQueues.add(route.destination());
                    }
                }
            } else {
                handledEvents.add(descriptor.logicalName());
                if (route != null) {
                    if (aws.eventRouting()) {
                        topics.add(route.destination());
                    }
                    if (aws.eventListener()) {
                        topics.add(route.destination());
                        typesByTopic.computeIfAbsent(route.destination(), t -> new TreeSet<>()).add(descriptor.logicalName());
                    }
                }
            }
        }
        if (aws.commandListener()) {
            listenQueues.addAll(config.listenQueues());
        }
        if (aws.eventListener()) {
            for (String topic : config.subscribeTopics()) {
                topics.add(topic);
                // an explicitly subscribed topic lets through every event type this deployment handles
                typesByTopic.computeIfAbsent(topic, t -> new TreeSet<>()).addAll(handledEvents);
            }
        }

        Map<String, Map<String, SortedSet<String>>> eventQueues = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, SortedSet<String>> entry : typesByTopic.entrySet()) {
            if (entry.getValue().isEmpty()) {
                problems.add("sourceflow.subscribe.topics: " + entry.getKey()
                        + " is subscribed, but this deployment handles no event types to let through");
                continue;
            }
            if (config.serviceName().isEmpty()) {
                problems.add("sourceflow.service-name: required, because this deployment handles events from topic "
                        + entry.getKey() + " and its event queue is named after the service");
                break;
            }
            String queue = config.serviceName().get() + EVENT_QUEUE_SUFFIX + (entry.getKey().endsWith(".fifo") ? ".fifo" : "");
            eventQueues.computeIfAbsent(queue, q -> new LinkedHashMap<>()).put(entry.getKey(), entry.getValue());
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return new TransportPlan(Set.copyOf(sendQueues), Set.copyOf(listenQueues), Set.copyOf(topics), Map.copyOf(eventQueues));
    }

    /** Whether the deployment uses AWS at all at startup (it may still send to annotated routes later). */
    public boolean isEmpty() {
        return sendQueues.isEmpty() && listenQueues.isEmpty() && topics.isEmpty() && eventQueues.isEmpty();
    }

    /** Every queue polled: command queues and event queues. */
    public Set<String> polledQueues() {
        Set<String> all = new LinkedHashSet<>(listenQueues);
        all.addAll(eventQueues.keySet());
        return all;
    }

    public ProvisioningPlan provisioningPlan(AwsSettings aws) {
        Set<String> queues = new LinkedHashSet<>(sendQueues);
        queues.addAll(listenQueues);
        queues.addAll(eventQueues.keySet());
        List<QueueSpec> queueSpecs = queues.stream().map(name -> queueSpec(name, aws)).toList();
        List<TopicSpec> topicSpecs = topics.stream().map(TopicSpec::new).toList();
        List<SubscriptionSpec> subscriptions = new ArrayList<>();
        eventQueues.forEach((queue, byTopic) -> byTopic.forEach((topic, types) ->
                subscriptions.add(new SubscriptionSpec(topic, queue, types))));
        return new ProvisioningPlan(queueSpecs, topicSpecs, subscriptions);
    }

    /**
     * The destinations a message of this type received on this queue may have been sent to, most likely first, as
     * bound into its encryption context: for a command queue, the queue itself; for an event queue, every topic it
     * subscribes to whose filter lets the type through, the type's own route first.
     */
    public List<String> encryptionDestinations(String queueName, String type, Optional<Route> route) {
        Set<String> result = new LinkedHashSet<>();
        Map<String, SortedSet<String>> byTopic = eventQueues.get(queueName);
        if (byTopic == null) {
            result.add(ShortNames.of(queueName));
        } else {
            List<String> letThrough = new ArrayList<>();
            byTopic.forEach((topic, types) -> {
                if (types.contains(type)) {
                    letThrough.add(ShortNames.of(topic));
                }
            });
            route.map(r -> ShortNames.of(r.destination())).filter(letThrough::contains).ifPresent(result::add);
            result.addAll(letThrough);
        }
        return List.copyOf(result);
    }

    /**
     * The logical types a polled queue accepts, from the handled types: on an event queue the event types its
     * subscriptions let through; on a command queue the command types routed to it. Anything else arriving there was
     * not routed here and must not run a handler.
     */
    public Set<String> acceptedTypes(String queueName, Collection<MessageDescriptor> handled) {
        Map<String, SortedSet<String>> byTopic = eventQueues.get(queueName);
        Set<String> accepted = new TreeSet<>();
        if (byTopic != null) {
            byTopic.values().forEach(accepted::addAll);
            return Set.copyOf(accepted);
        }
        String queue = ShortNames.of(queueName);
        for (MessageDescriptor descriptor : handled) {
            if (descriptor.kind() == MessageKind.COMMAND && descriptor.route()
                    .filter(route -> ShortNames.of(route.destination()).equals(queue)).isPresent()) {
                accepted.add(descriptor.logicalName());
            }
        }
        return Set.copyOf(accepted);
    }

    static QueueSpec queueSpec(String name, AwsSettings aws) {
        return new QueueSpec(name, aws.visibilityTimeout(), aws.messageRetention(), ServiceLimits.SQS_MAX_BYTES, aws.maxReceiveCount());
    }
}
