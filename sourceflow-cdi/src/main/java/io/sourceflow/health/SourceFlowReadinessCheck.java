package io.sourceflow.health;

import io.sourceflow.aws.AwsServiceClients;
import io.sourceflow.aws.TransportStatus;
import io.sourceflow.config.HealthSettings;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Readiness check {@value #NAME}: UP when every queue and topic this deployment uses answers
 * ({@code sqs:GetQueueAttributes}, {@code sns:GetTopicAttributes}: no List* calls), the dead-letter queue
 * of every polled queue included, and, with encryption on, the KMS key is enabled for encryption
 * ({@code kms:DescribeKey}). DOWN while startup has not completed, and DOWN naming each failing resource
 * with the reason. The whole check takes at most {@code sourceflow.health.timeout}; its result is reused
 * for {@code sourceflow.health.cache-ttl}, so however often {@code /health} is called, AWS sees at most one
 * round of calls per period. Data: {@code queues}, {@code dead-letter-queues}, {@code topics},
 * {@code kms-key}, {@code checked-at}, {@code down} (names only: no URLs, ARNs or account ids).
 */
@Readiness
@Singleton
public final class SourceFlowReadinessCheck implements HealthCheck {

    /** The check's name in {@code /health/ready}. */
    public static final String NAME = "sourceflow-readiness";

    private final TransportStatus status;
    private final Instance<AwsServiceClients> clients;
    private final HealthSettings settings;
    private final Optional<String> kmsKeyId;
    private final Object lock = new Object();
    private HealthCheckResponse cached;
    private long cachedUntilNanos;

    @Inject
    SourceFlowReadinessCheck(TransportStatus status, Instance<AwsServiceClients> clients, SourceFlowConfig config) {
        this.status = status;
        this.clients = clients;
        this.settings = config.health();
        this.kmsKeyId = config.aws().encryption().enabled() ? config.aws().encryption().kmsKeyId() : Optional.empty();
    }

    @Override
    public HealthCheckResponse call() {
        // one caller probes; callers arriving meanwhile wait (at most the timeout) and share its result
        synchronized (lock) {
            if (cached != null && System.nanoTime() - cachedUntilNanos < 0) {
                return cached;
            }
            TransportStatus.Startup startup = status.startup();
            if (startup.phase() != TransportStatus.Phase.STARTED) {
                // not cached: readiness follows startup at once
                HealthCheckResponseBuilder notStarted = HealthCheckResponse.named(NAME).down()
                        .withData("startup", startup.phase().name().toLowerCase(Locale.ROOT));
                startup.failure().ifPresent(error -> notStarted.withData("error", error));
                return notStarted.build();
            }
            HealthCheckResponse response = probe(status.resources());
            cached = response;
            cachedUntilNanos = System.nanoTime() + settings.cacheTtl().toNanos();
            return response;
        }
    }

    private HealthCheckResponse probe(List<TransportStatus.Resource> resources) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("queues", names(resources, TransportStatus.ResourceKind.QUEUE))
                .withData("dead-letter-queues", names(resources, TransportStatus.ResourceKind.DEAD_LETTER_QUEUE))
                .withData("topics", names(resources, TransportStatus.ResourceKind.TOPIC))
                .withData("checked-at", Instant.now().toString());
        kmsKeyId.ifPresent(key -> response.withData("kms-key", Names.displayName(key)));
        if (resources.isEmpty() && kmsKeyId.isEmpty()) {
            return response.up().build(); // nothing routed through AWS: no client is even created
        }
        List<String> down = new ResourceProbe(clients.get(), settings.timeout()).check(resources, kmsKeyId);
        if (down.isEmpty()) {
            return response.up().build();
        }
        return response.down().withData("down", String.join("; ", down)).build();
    }

    private static String names(List<TransportStatus.Resource> resources, TransportStatus.ResourceKind kind) {
        return Names.join(resources.stream().filter(r -> r.kind() == kind).map(TransportStatus.Resource::name).toList());
    }
}
