package io.sourceflow.telemetry;

import io.sourceflow.config.SourceFlowConfig;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.concurrent.Executor;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The traces and metrics of a deployment's AWS transport. Uses the {@code OpenTelemetry} CDI bean the
 * server provides (MicroProfile Telemetry), else {@code GlobalOpenTelemetry}; without the OpenTelemetry
 * API on the class path every method does nothing. Metric attributes are the logical type and the
 * destination (and a bounded error or reason code), never entity ids or payload.
 */
@Singleton
public class SourceFlowTelemetry {

    private final Backend backend;
    private final long queueDepthIntervalNanos;

    @Inject
    SourceFlowTelemetry(BeanManager beanManager, SourceFlowConfig config) {
        this.backend = Backends.create(beanManager);
        this.queueDepthIntervalNanos = config.telemetry().queueDepthInterval().toNanos();
    }

    /** Starts the observation of one command ({@code command}) or event about to be sent or published. */
    public OutboundObservation send(boolean command, String logicalType, String destination) {
        return backend.send(command, logicalType, destination);
    }

    /** Starts the observation of one message received from a queue (counts it as received and in flight). */
    public InboundObservation receive(String queue, int receiveCount) {
        return backend.receive(queue, receiveCount);
    }

    /**
     * Counts a duplicate delivery that was recognised and not handled again
     * ({@code sourceflow.aws.message.duplicate}); for the idempotent-processing pipeline.
     */
    public void duplicate(String queue, String logicalType) {
        backend.duplicate(queue, logicalType);
    }

    /** Counts a message moved to its dead-letter queue ({@code sourceflow.aws.message.dead_lettered}). */
    public void deadLettered(String queue, String reason) {
        backend.deadLettered(queue, reason);
    }

    /** Counts an AWS call refused by throttling ({@code sourceflow.aws.throttled}). */
    public void throttled(String service, String operation) {
        backend.throttled(service, operation);
    }

    /**
     * Reports a queue's ApproximateNumberOfMessages as {@code sourceflow.aws.queue.depth}: read only when a
     * metric reader collects, at most once per {@code sourceflow.telemetry.queue-depth-interval}, on the
     * executor (never on the collecting thread); 0 turns it off.
     */
    public void watchQueueDepth(String queue, LongSupplier depth, Executor executor) {
        if (queueDepthIntervalNanos > 0) {
            backend.watchQueueDepth(queue, depth, executor, queueDepthIntervalNanos);
        }
    }

    /**
     * Reports the transactional outbox as the gauges {@code sourceflow.aws.outbox.pending}, {@code .lag} and
     * {@code .parked}; the suppliers return what the relay last read (no database call on the collecting thread).
     */
    public void watchOutbox(LongSupplier pending, DoubleSupplier lagSeconds, LongSupplier parked) {
        backend.watchOutbox(pending, lagSeconds, parked);
    }

    /** Whether an OpenTelemetry implementation is in use (the API is present). */
    public boolean enabled() {
        return backend != NoopBackend.INSTANCE;
    }
}
