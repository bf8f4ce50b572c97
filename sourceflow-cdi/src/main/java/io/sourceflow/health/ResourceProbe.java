package io.sourceflow.health;

import io.sourceflow.aws.AwsServiceClients;
import io.sourceflow.aws.TransportStatus;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.DescribeKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One round of readiness calls, all within one time budget: each call gets what is left of it as its SDK
 * API call timeout (retries included), and resources not reached in time are reported as not checked.
 */
final class ResourceProbe {

    private static final System.Logger LOG = System.getLogger(ResourceProbe.class.getName());

    private final AwsServiceClients clients;
    private final Duration budget;
    private final long deadline;

    ResourceProbe(AwsServiceClients clients, Duration budget) {
        this.clients = clients;
        this.budget = budget;
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** Checks every resource and the KMS key; returns one line per failure, naming the resource. */
    List<String> check(List<TransportStatus.Resource> resources, Optional<String> kmsKeyId) {
        List<String> down = new ArrayList<>();
        for (TransportStatus.Resource resource : resources) {
            String label = label(resource.kind()) + " " + resource.name();
            String action = resource.kind() == TransportStatus.ResourceKind.TOPIC ? "sns:GetTopicAttributes" : "sqs:GetQueueAttributes";
            attempt(label, action, remaining -> {
                if (resource.kind() == TransportStatus.ResourceKind.TOPIC) {
                    clients.sns().getTopicAttributes(r -> r.topicArn(resource.address())
                            .overrideConfiguration(o -> o.apiCallTimeout(remaining)));
                } else {
                    clients.sqs().getQueueAttributes(r -> r.queueUrl(resource.address())
                            .attributeNames(QueueAttributeName.QUEUE_ARN)
                            .overrideConfiguration(o -> o.apiCallTimeout(remaining)));
                }
                return Optional.empty();
            }).ifPresent(down::add);
        }
        kmsKeyId.flatMap(key -> attempt("kms-key " + Names.displayName(key), "kms:DescribeKey", remaining -> {
            DescribeKeyResponse described = clients.kms().describeKey(r -> r.keyId(key)
                    .overrideConfiguration(o -> o.apiCallTimeout(remaining)));
            KeyState state = described.keyMetadata().keyState();
            if (state != KeyState.ENABLED) {
                return Optional.of("the key is " + described.keyMetadata().keyStateAsString()
                        + ", not Enabled: enable it (or cancel its deletion) or configure another key");
            }
            String usage = described.keyMetadata().keyUsageAsString();
            if (usage != null && !usage.equals(KeyUsageType.ENCRYPT_DECRYPT.toString())) {
                return Optional.of("the key's usage is " + described.keyMetadata().keyUsageAsString()
                        + ", not ENCRYPT_DECRYPT: configure a symmetric encryption key");
            }
            return Optional.empty();
        })).ifPresent(down::add);
        return down;
    }

    /** A call that returns a problem description, or empty when the resource is fine. */
    private interface Call {
        Optional<String> run(Duration remaining);
    }

    private Optional<String> attempt(String label, String action, Call call) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return Optional.of(label + ": not checked, sourceflow.health.timeout=" + Names.describe(budget) + " used up");
        }
        try {
            return call.run(Duration.ofNanos(left)).map(problem -> label + ": " + problem);
        } catch (SdkException e) {
            String reason = reason(e, action);
            LOG.log(System.Logger.Level.DEBUG, "Readiness: " + label + " failed", e);
            return Optional.of(label + ": " + reason);
        }
    }

    private String reason(SdkException e, String action) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return "no answer within sourceflow.health.timeout=" + Names.describe(budget);
        }
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            String code = service.awsErrorDetails().errorCode();
            int status = service.statusCode();
            String lower = code == null ? "" : code.toLowerCase(java.util.Locale.ROOT);
            if (status == 403 || lower.contains("accessdenied") || lower.contains("authorization")) {
                return "access denied (" + code + "): grant " + action + " on it";
            }
            if (lower.contains("nonexistent") || lower.contains("doesnotexist") || lower.contains("notfound")) {
                return "does not exist (" + code + "): recreate it (sourceflow.aws.provisioning=create does at the next start)";
            }
            return code + " (HTTP " + status + ")";
        }
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return "unreachable (" + e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message) + ")";
    }

    private static String label(TransportStatus.ResourceKind kind) {
        return switch (kind) {
            case QUEUE -> "queue";
            case DEAD_LETTER_QUEUE -> "dead-letter-queue";
            case TOPIC -> "topic";
        };
    }
}
