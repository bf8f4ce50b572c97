package io.sourceflow.aws.provisioning;

import io.sourceflow.config.ProvisioningMode;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Creates, verifies or resolves the resources of a {@link ProvisioningPlan}; see
 * {@link ProvisioningMode}. Idempotent: applying the same plan again in {@code CREATE} mode reads
 * but changes nothing. Queues given by URL and topics given by ARN are never created or changed.
 *
 * <p>SNS and STS are called only when the plan has topics, so a queues-only plan works against an
 * SQS-only endpoint. The account id for topic ARNs comes from STS GetCallerIdentity, called at
 * most once per instance. Safe for use by several threads, though provisioning normally runs once
 * at startup.
 */
public final class ResourceProvisioner {

    private static final System.Logger LOG = System.getLogger(ResourceProvisioner.class.getName());
    static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(14);
    private static final String PENDING_CONFIRMATION = "PendingConfirmation";

    private final SqsClient sqs;
    private final SnsClient sns;
    private final StsClient sts;
    private final Region region;
    private volatile Identity identity;

    /** Partition and account of the caller, for building topic ARNs. */
    private record Identity(String partition, String account) {
    }

    public ResourceProvisioner(SqsClient sqs, SnsClient sns, StsClient sts, Region region) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.sns = Objects.requireNonNull(sns, "sns");
        this.sts = Objects.requireNonNull(sts, "sts");
        this.region = Objects.requireNonNull(region, "region");
    }

    /**
     * Applies the plan in the given mode and returns the URLs and ARNs of its resources.
     *
     * @throws ProvisioningException listing every problem found (VERIFY: each missing or
     *     mis-configured resource; CREATE: what could not be created or corrected; OFF: what could
     *     not be resolved), or the AWS call that failed
     */
    public ProvisionedResources apply(ProvisioningPlan plan, ProvisioningMode mode) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(mode, "mode");
        return new Run(plan, mode).execute();
    }

    /** The state of one {@link #apply} call. */
    private final class Run {
        private final ProvisioningPlan plan;
        private final ProvisioningMode mode;
        private final List<String> problems = new ArrayList<>();
        private final Map<String, String> queueUrls = new LinkedHashMap<>();
        private final Map<String, String> queueArns = new LinkedHashMap<>();
        private final Map<String, String> deadLetterUrls = new LinkedHashMap<>();
        private final Map<String, String> topicArns = new LinkedHashMap<>();
        private final Map<String, Duration> visibilityTimeouts = new LinkedHashMap<>();
        private final Map<String, String> queuePolicies = new HashMap<>();
        private final Map<String, List<Subscription>> subscriptionsByTopic = new HashMap<>();

        Run(ProvisioningPlan plan, ProvisioningMode mode) {
            this.plan = plan;
            this.mode = mode;
        }

        ProvisionedResources execute() {
            for (QueueSpec queue : plan.queues()) {
                if (queue.isUrl()) {
                    queueByUrl(queue);
                } else {
                    queueByName(queue);
                }
            }
            plan.topics().forEach(this::topic);
            if (mode != ProvisioningMode.OFF) {
                plan.subscriptions().forEach(this::subscription);
                plan.queues().forEach(this::queuePolicy);
            }
            if (!problems.isEmpty()) {
                throw new ProvisioningException(summary(problems.size()), problems);
            }
            return new ProvisionedResources(queueUrls, queueArns, deadLetterUrls, topicArns, visibilityTimeouts);
        }

        private String summary(int count) {
            return switch (mode) {
                case CREATE -> "provisioning (mode create) could not create or correct " + count + " resource(s):";
                case VERIFY -> "provisioning (mode verify) found " + count + " missing or mis-configured"
                        + " resource(s); create them or use provisioning mode create:";
                case OFF -> "provisioning (mode off) could not resolve " + count + " resource(s):";
            };
        }

        // ---- queues -------------------------------------------------------------------------

        private void queueByName(QueueSpec spec) {
            String dlqName = spec.deadLetterQueueName();
            if (mode == ProvisioningMode.OFF) {
                Optional<String> url = findQueueUrl(spec.name());
                if (url.isEmpty()) {
                    problems.add("queue '" + spec.name() + "' does not exist");
                    return;
                }
                queueUrls.put(spec.name(), url.get());
                Map<QueueAttributeName, String> current = attributes(spec.name(), url.get(), QueueAttributeName.QUEUE_ARN,
                        QueueAttributeName.VISIBILITY_TIMEOUT);
                queueArns.put(spec.name(), current.get(QueueAttributeName.QUEUE_ARN));
                recordVisibility(spec.name(), current);
                tolerantDeadLetterUrl(spec.name(), () -> findQueueUrl(dlqName));
                return;
            }
            Map<QueueAttributeName, String> dlqDesired = new EnumMap<>(QueueAttributeName.class);
            dlqDesired.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(DEAD_LETTER_RETENTION));
            QueueState dlq = ensureQueue(dlqName, "dead-letter queue '" + dlqName + "' of queue '" + spec.name() + "'",
                    spec.isFifo(), dlqDesired);

            Map<QueueAttributeName, String> desired = new EnumMap<>(QueueAttributeName.class);
            desired.put(QueueAttributeName.VISIBILITY_TIMEOUT, seconds(spec.visibilityTimeout()));
            desired.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(spec.retention()));
            desired.put(QueueAttributeName.MAXIMUM_MESSAGE_SIZE, Integer.toString(spec.maximumMessageSize()));
            if (dlq != null) {
                desired.put(QueueAttributeName.REDRIVE_POLICY,
                        PolicyJson.redrivePolicy(dlq.arn(), spec.maxReceiveCount()));
            }
            QueueState queue = ensureQueue(spec.name(), "queue '" + spec.name() + "'", spec.isFifo(), desired);
            if (queue == null) {
                return;
            }
            queueUrls.put(spec.name(), queue.url());
            queueArns.put(spec.name(), queue.arn());
            // create mode has just set the plan's value; verify reads what is there
            recordVisibility(spec.name(), mode == ProvisioningMode.CREATE || queue.attributes().isEmpty() ? desired : queue.attributes());
            visibilityTimeout(spec.name()).filter(actual -> actual.compareTo(spec.visibilityTimeout()) < 0)
                    .filter(actual -> mode == ProvisioningMode.VERIFY)
                    .ifPresent(actual -> problems.add("queue '" + spec.name() + "' has VisibilityTimeout " + actual.toSeconds()
                            + " s, shorter than sourceflow.aws.visibility-timeout (" + spec.visibilityTimeout().toSeconds()
                            + " s), from which the heartbeat and the idempotency lease are timed: a message would run on two"
                            + " instances. Raise the queue's VisibilityTimeout, or lower the key"));
            queuePolicies.put(spec.name(), queue.attributes().getOrDefault(QueueAttributeName.POLICY, ""));
            if (dlq != null) {
                deadLetterUrls.put(spec.name(), dlq.url());
            }
            if (mode == ProvisioningMode.VERIFY && dlq != null) {
                Optional<PolicyJson.Redrive> redrive =
                        PolicyJson.parseRedrive(queue.attributes().get(QueueAttributeName.REDRIVE_POLICY));
                if (redrive.isEmpty()) {
                    problems.add("queue '" + spec.name() + "' has no redrive policy; expected dead-letter queue '"
                            + dlqName + "' after " + spec.maxReceiveCount() + " receives");
                } else if (!redrive.get().deadLetterTargetArn().equals(dlq.arn())
                        || redrive.get().maxReceiveCount() != spec.maxReceiveCount()) {
                    problems.add("queue '" + spec.name() + "' has redrive policy to " + redrive.get().deadLetterTargetArn()
                            + " after " + redrive.get().maxReceiveCount() + " receives; expected " + dlq.arn()
                            + " after " + spec.maxReceiveCount());
                }
            }
        }

        /** A queue that exists now: its URL, ARN and the attributes read before any change. */
        private record QueueState(String url, String arn, Map<QueueAttributeName, String> attributes) {
        }

        private QueueState ensureQueue(String name, String label, boolean fifo,
                Map<QueueAttributeName, String> desired) {
            Optional<String> url = findQueueUrl(name);
            if (url.isEmpty()) {
                if (mode == ProvisioningMode.VERIFY) {
                    problems.add(label + " does not exist");
                    return null;
                }
                Map<QueueAttributeName, String> attributes = new EnumMap<>(desired);
                if (fifo) {
                    attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
                    // We send explicit deduplication ids (the message id), so content-based dedup stays off.
                    attributes.put(QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false");
                }
                String created = call("CreateQueue " + label,
                        () -> sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl());
                LOG.log(Level.INFO, "Created {0} with {1}", label, attributes);
                String arn = attributes(label, created, QueueAttributeName.QUEUE_ARN).get(QueueAttributeName.QUEUE_ARN);
                return new QueueState(created, arn, Map.of());
            }
            Map<QueueAttributeName, String> current = attributes(label, url.get(), QueueAttributeName.QUEUE_ARN,
                    QueueAttributeName.FIFO_QUEUE, QueueAttributeName.VISIBILITY_TIMEOUT,
                    QueueAttributeName.MESSAGE_RETENTION_PERIOD, QueueAttributeName.MAXIMUM_MESSAGE_SIZE,
                    QueueAttributeName.REDRIVE_POLICY, QueueAttributeName.POLICY);
            QueueState state = new QueueState(url.get(), current.get(QueueAttributeName.QUEUE_ARN), current);
            boolean actualFifo = "true".equalsIgnoreCase(current.get(QueueAttributeName.FIFO_QUEUE));
            if (actualFifo != fifo) {
                problems.add(label + " exists as a " + (actualFifo ? "FIFO" : "standard") + " queue but its name says "
                        + (fifo ? "FIFO" : "standard") + "; SQS cannot change FifoQueue: delete and recreate it");
                return state;
            }
            Map<QueueAttributeName, String> changes = differences(desired, current);
            if (changes.isEmpty()) {
                LOG.log(Level.DEBUG, "{0} is up to date", label);
            } else if (mode == ProvisioningMode.VERIFY) {
                // VERIFY reports the redrive policy (checked by the caller); tuning values are only logged.
                LOG.log(Level.INFO, "{0} differs from the plan (not changed in verify mode): {1}", label,
                        describe(changes, current));
            } else {
                Map<QueueAttributeName, String> request = new EnumMap<>(changes);
                String policy = current.get(QueueAttributeName.POLICY);
                if (policy != null && !policy.isBlank()) {
                    // Sent unchanged (a no-op on AWS) because moto 5.x drops the policy on any
                    // SetQueueAttributes that does not include it.
                    request.put(QueueAttributeName.POLICY, policy);
                }
                call("SetQueueAttributes " + label,
                        () -> sqs.setQueueAttributes(b -> b.queueUrl(url.get()).attributes(request)));
                LOG.log(Level.INFO, "Updated {0}: {1}", label, describe(changes, current));
            }
            return state;
        }

        private Map<QueueAttributeName, String> differences(Map<QueueAttributeName, String> desired,
                Map<QueueAttributeName, String> current) {
            Map<QueueAttributeName, String> changes = new EnumMap<>(QueueAttributeName.class);
            desired.forEach((name, value) -> {
                String actual = current.get(name);
                if (actual == null && name != QueueAttributeName.REDRIVE_POLICY) {
                    // AWS always reports these; SQS emulators such as ElasticMQ do not support some
                    // (MessageRetentionPeriod, MaximumMessageSize), and setting them again each start is noise.
                    LOG.log(Level.DEBUG, "{0} not reported by the SQS endpoint; not checked", name);
                    return;
                }
                boolean same = name == QueueAttributeName.REDRIVE_POLICY
                        ? PolicyJson.parseRedrive(actual).equals(PolicyJson.parseRedrive(value))
                        : value.equals(actual == null ? null : actual.trim());
                if (!same) {
                    changes.put(name, value);
                }
            });
            return changes;
        }

        private String describe(Map<QueueAttributeName, String> changes, Map<QueueAttributeName, String> current) {
            StringBuilder text = new StringBuilder();
            changes.forEach((name, value) -> text.append(text.length() == 0 ? "" : ", ").append(name)
                    .append(' ').append(current.getOrDefault(name, "(none)")).append(" -> ").append(value));
            return text.toString();
        }

        private void queueByUrl(QueueSpec spec) {
            String url = spec.name();
            Map<QueueAttributeName, String> current;
            try {
                current = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN,
                        QueueAttributeName.FIFO_QUEUE, QueueAttributeName.REDRIVE_POLICY, QueueAttributeName.POLICY,
                        QueueAttributeName.VISIBILITY_TIMEOUT))
                        .attributes();
            } catch (QueueDoesNotExistException e) {
                problems.add("queue " + url + " does not exist or is not accessible; it is given as a URL, so it is"
                        + " never created: create it in its account or fix the URL");
                return;
            } catch (SdkException e) {
                throw failure("GetQueueAttributes of queue " + url, e);
            }
            queueUrls.put(url, url);
            queueArns.put(url, current.get(QueueAttributeName.QUEUE_ARN));
            recordVisibility(url, current);
            queuePolicies.put(url, current.getOrDefault(QueueAttributeName.POLICY, ""));
            boolean actualFifo = "true".equalsIgnoreCase(current.get(QueueAttributeName.FIFO_QUEUE));
            if (mode != ProvisioningMode.OFF && actualFifo != spec.isFifo()) {
                problems.add("queue " + url + " is a " + (actualFifo ? "FIFO" : "standard") + " queue but its name says "
                        + (spec.isFifo() ? "FIFO" : "standard"));
            }
            // Its dead-letter queue is whatever its owner configured in the redrive policy.
            PolicyJson.parseRedrive(current.get(QueueAttributeName.REDRIVE_POLICY)).ifPresentOrElse(
                    redrive -> tolerantDeadLetterUrl(url, () -> findQueueUrlByArn(redrive.deadLetterTargetArn())),
                    () -> LOG.log(Level.INFO, "Queue {0} (given as URL) has no redrive policy, so no dead-letter queue",
                            url));
        }

        private void recordVisibility(String queue, Map<QueueAttributeName, String> attributes) {
            String seconds = attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT);
            if (seconds != null) {
                try {
                    visibilityTimeouts.put(queue, Duration.ofSeconds(Long.parseLong(seconds.trim())));
                } catch (NumberFormatException e) {
                    LOG.log(Level.DEBUG, "Queue {0} reported VisibilityTimeout {1}; not read", queue, seconds);
                }
            }
        }

        private Optional<Duration> visibilityTimeout(String queue) {
            return Optional.ofNullable(visibilityTimeouts.get(queue));
        }

        private void tolerantDeadLetterUrl(String queue, Supplier<Optional<String>> lookup) {
            try {
                lookup.get().ifPresentOrElse(dlqUrl -> deadLetterUrls.put(queue, dlqUrl),
                        () -> LOG.log(Level.INFO, "Dead-letter queue of queue {0} does not exist", queue));
            } catch (ProvisioningException e) {
                LOG.log(Level.INFO, "Dead-letter queue of queue {0} could not be resolved: {1}", queue, e.getMessage());
            }
        }

        private Optional<String> findQueueUrl(String name) {
            return call("GetQueueUrl of queue '" + name + "'", () -> {
                try {
                    return Optional.of(sqs.getQueueUrl(b -> b.queueName(name)).queueUrl());
                } catch (QueueDoesNotExistException e) {
                    return Optional.empty();
                }
            });
        }

        private Optional<String> findQueueUrlByArn(String arn) {
            String[] parts = arn.split(":", 6);
            if (parts.length != 6) {
                return Optional.empty();
            }
            return call("GetQueueUrl of queue " + arn, () -> {
                try {
                    return Optional.of(sqs.getQueueUrl(b -> b.queueName(parts[5]).queueOwnerAWSAccountId(parts[4]))
                            .queueUrl());
                } catch (QueueDoesNotExistException e) {
                    return Optional.empty();
                }
            });
        }

        private Map<QueueAttributeName, String> attributes(String label, String url, QueueAttributeName... names) {
            return call("GetQueueAttributes of " + label,
                    () -> sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(names)).attributes());
        }

        // ---- topics -------------------------------------------------------------------------

        private void topic(TopicSpec spec) {
            String arn = spec.isArn() ? spec.name() : topicArn(spec.name());
            if (mode == ProvisioningMode.OFF) {
                topicArns.put(spec.name(), arn);
                return;
            }
            Optional<Map<String, String>> attributes = call("GetTopicAttributes of topic '" + spec.name() + "'", () -> {
                try {
                    return Optional.of(sns.getTopicAttributes(b -> b.topicArn(arn)).attributes());
                } catch (NotFoundException e) {
                    return Optional.empty();
                }
            });
            if (attributes.isEmpty()) {
                if (mode == ProvisioningMode.VERIFY) {
                    problems.add("topic '" + spec.name() + "' does not exist (" + arn + ")");
                } else if (spec.isArn()) {
                    problems.add("topic " + arn + " does not exist; it is given as an ARN, so it is never created:"
                            + " create it in its account or fix the ARN");
                } else {
                    Map<String, String> create = spec.isFifo() ? Map.of("FifoTopic", "true") : Map.of();
                    String created = call("CreateTopic '" + spec.name() + "'",
                            () -> sns.createTopic(b -> b.name(spec.name()).attributes(create)).topicArn());
                    LOG.log(Level.INFO, "Created topic {0} ({1})", spec.name(), created);
                    topicArns.put(spec.name(), created);
                }
                return;
            }
            topicArns.put(spec.name(), arn);
            boolean actualFifo = "true".equalsIgnoreCase(attributes.get().get("FifoTopic"));
            if (actualFifo != spec.isFifo()) {
                problems.add("topic '" + spec.name() + "' exists as a " + (actualFifo ? "FIFO" : "standard")
                        + " topic but its name says " + (spec.isFifo() ? "FIFO" : "standard")
                        + "; SNS cannot change FifoTopic: delete and recreate it");
            } else {
                LOG.log(Level.DEBUG, "Topic {0} exists", spec.name());
            }
        }

        private String topicArn(String name) {
            Identity caller = identity();
            return "arn:" + caller.partition() + ":sns:" + region.id() + ":" + caller.account() + ":" + name;
        }

        private Identity identity() {
            Identity known = identity;
            if (known == null) {
                synchronized (ResourceProvisioner.this) {
                    known = identity;
                    if (known == null) {
                        GetCallerIdentityResponse caller = call("STS GetCallerIdentity (account id for topic ARNs)",
                                sts::getCallerIdentity);
                        String[] arn = caller.arn() == null ? new String[0] : caller.arn().split(":");
                        String partition = arn.length > 1 ? arn[1] : region.metadata() == null ? "aws"
                                : region.metadata().partition().id();
                        known = new Identity(partition, caller.account());
                        identity = known;
                    }
                }
            }
            return known;
        }

        // ---- subscriptions ------------------------------------------------------------------

        private void subscription(SubscriptionSpec spec) {
            String label = "subscription of queue '" + spec.queue() + "' to topic '" + spec.topic() + "'";
            String topicArn = topicArns.get(spec.topic());
            String queueArn = queueArns.get(spec.queue());
            if (topicArn == null || queueArn == null) {
                if (mode == ProvisioningMode.VERIFY) {
                    problems.add(label + " does not exist (its " + (topicArn == null ? "topic" : "queue")
                            + " is missing)");
                }
                return; // in CREATE the missing topic or queue is already reported
            }
            String filterPolicy = PolicyJson.filterPolicy(spec.types());
            Optional<Subscription> existing = subscriptions(spec.topic(), topicArn).stream()
                    .filter(s -> "sqs".equals(s.protocol()) && queueArn.equals(s.endpoint()))
                    .findFirst();
            if (existing.isEmpty()) {
                if (mode == ProvisioningMode.VERIFY) {
                    problems.add(label + " does not exist");
                    return;
                }
                String arn = call("Subscribe " + label, () -> sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs")
                        .endpoint(queueArn).returnSubscriptionArn(true)
                        .attributes(Map.of("RawMessageDelivery", "true", "FilterPolicy", filterPolicy)))
                        .subscriptionArn());
                LOG.log(Level.INFO, "Created {0} ({1}) for types {2}", label, arn, spec.types());
                return;
            }
            String subscriptionArn = existing.get().subscriptionArn();
            if (PENDING_CONFIRMATION.equals(subscriptionArn)) {
                problems.add(label + " is pending confirmation; the queue's owner must confirm it");
                return;
            }
            Map<String, String> current = call("GetSubscriptionAttributes of " + label,
                    () -> sns.getSubscriptionAttributes(b -> b.subscriptionArn(subscriptionArn)).attributes());
            Map<String, String> changes = new TreeMap<>();
            if (!"true".equalsIgnoreCase(current.get("RawMessageDelivery"))) {
                changes.put("RawMessageDelivery", "true");
            }
            String scope = current.get("FilterPolicyScope");
            if (scope != null && !scope.isEmpty() && !"MessageAttributes".equals(scope)) {
                changes.put("FilterPolicyScope", "MessageAttributes");
            }
            if (!PolicyJson.filterPolicyMatches(current.get("FilterPolicy"), spec.types())) {
                changes.put("FilterPolicy", filterPolicy);
            }
            if (changes.isEmpty()) {
                LOG.log(Level.DEBUG, "{0} is up to date", label);
            } else if (mode == ProvisioningMode.VERIFY) {
                changes.forEach((name, value) -> problems.add(label + " has " + name + " "
                        + current.getOrDefault(name, "(none)") + "; expected " + value));
            } else {
                // SetSubscriptionAttributes takes one attribute per call.
                changes.forEach((name, value) -> call("SetSubscriptionAttributes " + name + " of " + label,
                        () -> sns.setSubscriptionAttributes(b -> b.subscriptionArn(subscriptionArn)
                                .attributeName(name).attributeValue(value))));
                LOG.log(Level.INFO, "Updated {0}: {1}", label, changes);
            }
        }

        private List<Subscription> subscriptions(String topic, String topicArn) {
            return subscriptionsByTopic.computeIfAbsent(topicArn, arn -> call(
                    "ListSubscriptionsByTopic of topic '" + topic + "'",
                    () -> sns.listSubscriptionsByTopicPaginator(b -> b.topicArn(arn)).subscriptions().stream().toList()));
        }

        // ---- queue policies -----------------------------------------------------------------

        private void queuePolicy(QueueSpec spec) {
            String queueArn = queueArns.get(spec.name());
            if (queueArn == null) {
                return;
            }
            SortedSet<String> topics = new TreeSet<>();
            for (SubscriptionSpec subscription : plan.subscriptions()) {
                if (subscription.queue().equals(spec.name()) && topicArns.containsKey(subscription.topic())) {
                    topics.add(topicArns.get(subscription.topic()));
                }
            }
            String policy = queuePolicies.getOrDefault(spec.name(), "");
            if (mode == ProvisioningMode.VERIFY || spec.isUrl()) {
                SortedSet<String> notAllowed = PolicyJson.topicsNotAllowed(policy, queueArn, topics);
                if (!notAllowed.isEmpty()) {
                    problems.add("the policy of queue '" + spec.name() + "' does not let topic(s) " + notAllowed
                            + " send to it (sqs:SendMessage for principal sns.amazonaws.com with aws:SourceArn)"
                            + (spec.isUrl() ? "; the queue is given as a URL, so its owner must add that" : ""));
                }
                return;
            }
            Optional<String> merged;
            try {
                merged = PolicyJson.mergeQueuePolicy(policy, queueArn, topics);
            } catch (IllegalArgumentException e) {
                problems.add("the policy of queue '" + spec.name() + "' cannot be updated: " + e.getMessage());
                return;
            }
            if (merged.isEmpty()) {
                LOG.log(Level.DEBUG, "Policy of queue {0} is up to date", spec.name());
                return;
            }
            String url = queueUrls.get(spec.name());
            call("SetQueueAttributes Policy of queue '" + spec.name() + "'", () -> sqs.setQueueAttributes(
                    b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.POLICY, merged.get()))));
            LOG.log(Level.INFO, "Updated policy of queue {0}: topics {1} may send to it", spec.name(), topics);
        }

        // ---- errors -------------------------------------------------------------------------

        private <T> T call(String what, Supplier<T> call) {
            try {
                return call.get();
            } catch (SdkException e) {
                throw failure(what, e);
            }
        }

        private ProvisioningException failure(String what, SdkException e) {
            List<String> all = new ArrayList<>(problems);
            all.add(what + " failed: " + e.getMessage());
            return new ProvisioningException(summary(all.size()), all, e);
        }
    }

    private static String seconds(Duration duration) {
        return Long.toString(duration.toSeconds());
    }
}
