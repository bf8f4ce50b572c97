package io.sourceflow.health;

import io.sourceflow.aws.AwsServiceClients;
import io.sourceflow.aws.TransportStatus;
import io.sourceflow.config.HealthSettings;
import io.sourceflow.config.OutboxSettings;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.spi.OutboxStatus;
import io.sourceflow.spi.OutboxStore;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code kms-key}, {@code checked-at}, {@code down} (names only: no URLs, ARNs or account ids). With the
 * transactional outbox on, also {@code outbox-pending}, {@code outbox-lag-seconds} and {@code outbox-parked}, and DOWN
 * while the oldest unsent message is older than {@code sourceflow.outbox.max-lag}.
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
    private final Instance<OutboxStore> outbox;
    private final OutboxSettings outboxSettings;
    private final Object lock = new Object();
    private HealthCheckResponse cached;
    private long cachedUntilNanos;

    @Inject
    SourceFlowReadinessCheck(TransportStatus status, Instance<AwsServiceClients> clients, SourceFlowConfig config,
                             Instance<OutboxStore> outbox) {
        this.status = status;
        this.outbox = outbox;
        this.outboxSettings = config.outbox();
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
        List<String> down = new ArrayList<>(outboxLag(response));
        if (resources.isEmpty() && kmsKeyId.isEmpty()) {
            // nothing routed through AWS: no client is even created
            return down.isEmpty() ? response.up().build() : response.down().withData("down", String.join("; ", down)).build();
        }
        down.addAll(new ResourceProbe(clients.get(), settings.timeout()).check(resources, kmsKeyId));
        if (down.isEmpty()) {
            return response.up().build();
        }
        return response.down().withData("down", String.join("; ", down)).build();
    }

    /**
     * The outbox's data ({@code outbox-pending}, {@code outbox-lag-seconds}, {@code outbox-parked}), and a problem when
     * its oldest unsent message is older than {@code sourceflow.outbox.max-lag}.
     */
    private List<String> outboxLag(HealthCheckResponseBuilder response) {
        if (!outboxSettings.enabled() || !outbox.isResolvable()) {
            return List.of();
        }
        OutboxStatus held;
        try {
            held = outbox.get().status();
        } catch (RuntimeException e) {
            return List.of("outbox: its table cannot be read (" + e.getMessage() + ")");
        }
        long lag = held.oldestPending().map(oldest -> Math.max(0, Duration.between(oldest, Instant.now()).toSeconds())).orElse(0L);
        response.withData("outbox-pending", held.pending()).withData("outbox-lag-seconds", lag)
                .withData("outbox-parked", held.parked());
        if (lag > outboxSettings.maxLag().toSeconds()) {
            return List.of("outbox: its oldest unsent message is " + lag + " s old, more than sourceflow.outbox.max-lag ("
                    + outboxSettings.maxLag().toSeconds() + " s)");
        }
        return List.of();
    }

    private static String names(List<TransportStatus.Resource> resources, TransportStatus.ResourceKind kind) {
        return Names.join(resources.stream().filter(r -> r.kind() == kind).map(TransportStatus.Resource::name).toList());
    }
}
