package io.sourceflow.health;

import io.sourceflow.aws.ShortNames;
import io.sourceflow.aws.TransportStatus;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Liveness check {@value #NAME}: UP when every queue poller runs and made progress within
 * {@code sourceflow.health.max-poll-age}. Progress is a receive that completed or failed, or a wait while
 * paused or while every handler slot is busy: a paused listener and a listener whose receives fail
 * (AWS unreachable: that is readiness's business, a restart would not help) are alive. DOWN names each
 * stuck or stopped queue. Data: {@code queues}, {@code paused}, {@code max-poll-age}, {@code down}. It
 * makes no AWS call.
 */
@Liveness
@Singleton
public final class SourceFlowLivenessCheck implements HealthCheck {

    /** The check's name in {@code /health/live}. */
    public static final String NAME = "sourceflow-liveness";

    private final TransportStatus status;
    private final Duration maxPollAge;
    private final Clock clock;

    @Inject
    SourceFlowLivenessCheck(TransportStatus status, SourceFlowConfig config) {
        this(status, config.health().maxPollAge(), Clock.systemUTC());
    }

    SourceFlowLivenessCheck(TransportStatus status, Duration maxPollAge, Clock clock) {
        this.status = status;
        this.maxPollAge = maxPollAge;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        Instant now = clock.instant();
        List<String> queues = new ArrayList<>();
        List<String> paused = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (TransportStatus.Poller poller : status.pollers()) {
            String queue = ShortNames.of(poller.queue());
            queues.add(queue);
            if (!poller.alive()) {
                down.add(queue + ": its poller is not running (see the log for why it stopped)");
            } else if (poller.handlersPastTimeout() >= poller.handlerSlots()) {
                down.add(queue + ": all " + poller.handlerSlots() + " handler slots are held by handlers running past "
                        + "sourceflow.aws.handler-timeout (see the log for their messages); the queue makes no progress");
            } else if (poller.paused()) {
                paused.add(queue);
            } else {
                Duration age = Duration.between(poller.lastPoll(), now);
                if (age.compareTo(maxPollAge) > 0) {
                    down.add(queue + ": no poll completed for " + Names.describe(age) + " (limit sourceflow.health.max-poll-age="
                            + Names.describe(maxPollAge) + "); the receive call hangs");
                }
            }
        }
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(down.isEmpty())
                .withData("queues", Names.join(queues))
                .withData("max-poll-age", Names.describe(maxPollAge));
        if (!paused.isEmpty()) {
            response.withData("paused", Names.join(paused));
        }
        if (!down.isEmpty()) {
            response.withData("down", String.join("; ", down));
        }
        return response.build();
    }
}
