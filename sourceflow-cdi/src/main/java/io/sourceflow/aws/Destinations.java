package io.sourceflow.aws;

import io.sourceflow.aws.provisioning.ProvisionedResources;
import io.sourceflow.aws.provisioning.ProvisioningPlan;
import io.sourceflow.aws.provisioning.ResourceProvisioner;
import io.sourceflow.aws.provisioning.TopicSpec;
import io.sourceflow.config.AwsSettings;
import io.sourceflow.config.ProvisioningMode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves queue and topic names to URLs and ARNs: those known at startup come from provisioning; a
 * destination first met at a send (an annotated type nobody here handles) is provisioned (or verified, or
 * resolved, per the provisioning mode) on first use and cached. Internal to SourceFlow.
 */
public final class Destinations {

    private final ResourceProvisioner provisioner;
    private final ProvisioningMode mode;
    private final AwsSettings aws;
    private final Map<String, ProvisionedResources> queues = new ConcurrentHashMap<>();
    private final Map<String, String> topics = new ConcurrentHashMap<>();

    Destinations(ResourceProvisioner provisioner, ProvisioningMode mode, AwsSettings aws, ProvisionedResources atStartup) {
        this.provisioner = provisioner;
        this.mode = mode;
        this.aws = aws;
        atStartup.queueUrls().keySet().forEach(name -> queues.put(name, atStartup));
        topics.putAll(atStartup.topicArns());
    }

    public String queueUrl(String name) {
        return queue(name).queueUrl(name);
    }

    public Optional<String> deadLetterQueueUrl(String name) {
        return queue(name).deadLetterQueueUrl(name);
    }

    /** A queue's VisibilityTimeout as SQS reported it at resolution, if it did. */
    public Optional<Duration> visibilityTimeout(String name) {
        return queue(name).visibilityTimeout(name);
    }

    public String topicArn(String name) {
        return topics.computeIfAbsent(name, n -> provisioner.apply(
                new ProvisioningPlan(List.of(), List.of(new TopicSpec(n)), List.of()), mode).topicArn(n));
    }

    /** Every queue resolved so far (at startup or at a first send): name to URL. */
    public Map<String, String> knownQueueUrls() {
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        queues.forEach((name, resources) -> urls.put(name, resources.queueUrl(name)));
        return urls;
    }

    /** Every topic resolved so far: name to ARN. */
    public Map<String, String> knownTopicArns() {
        return Map.copyOf(topics);
    }

    private ProvisionedResources queue(String name) {
        return queues.computeIfAbsent(name, n -> provisioner.apply(
                ProvisioningPlan.ofQueues(List.of(TransportPlan.queueSpec(n, aws))), mode));
    }
}
