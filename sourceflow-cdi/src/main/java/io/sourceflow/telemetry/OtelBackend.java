package io.sourceflow.telemetry;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.sourceflow.masking.MaskedFailure;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Telemetry through the OpenTelemetry API. Loaded only when the API is present ({@link Backends}).
 * Spans follow the messaging semantic conventions: PRODUCER {@code send <queue>} / {@code publish <topic>}
 * per message, CONSUMER {@code process <queue>} per handled message, child of (and linked to) the
 * producer span whose W3C context the CloudEvent carries.
 */
final class OtelBackend implements Backend {

    static final String SCOPE = "io.sourceflow";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> MESSAGE_TYPE = AttributeKey.stringKey("sourceflow.message.type");
    static final AttributeKey<Long> RECEIVE_COUNT = AttributeKey.longKey("sourceflow.message.receive_count");
    static final AttributeKey<String> DEAD_LETTER_REASON = AttributeKey.stringKey("sourceflow.dead_letter.reason");
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");

    static final String SQS = "aws_sqs";
    static final String SNS = "aws.sns";
    static final String UNKNOWN_TYPE = InboundObservation.UNKNOWN_TYPE;

    private static final List<Double> SECONDS_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0, 60.0);
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final Meter meter;
    private final W3CTraceContextPropagator propagator = W3CTraceContextPropagator.getInstance();
    private final LongCounter commandDispatched;
    private final DoubleHistogram commandDuration;
    private final LongCounter commandError;
    private final LongCounter eventPublished;
    private final DoubleHistogram eventDuration;
    private final LongCounter eventError;
    private final LongCounter received;
    private final LongCounter processed;
    private final DoubleHistogram processingDuration;
    private final LongCounter processingError;
    private final LongCounter duplicates;
    private final LongCounter deadLettered;
    private final LongCounter throttled;
    private final LongUpDownCounter inFlight;
    private final Map<String, DepthWatch> depths = new ConcurrentHashMap<>();
    private final AtomicBoolean depthGaugeRegistered = new AtomicBoolean();

    private OtelBackend(OpenTelemetry otel) {
        this.tracer = otel.getTracer(SCOPE);
        this.meter = otel.getMeter(SCOPE);
        commandDispatched = counter("sourceflow.aws.command.dispatched", "Commands accepted by their SQS queue");
        commandDuration = seconds("sourceflow.aws.command.dispatch_duration", "From send to acceptance by the queue (batching and retries included)");
        commandError = counter("sourceflow.aws.command.dispatch_error", "Commands that could not be sent");
        eventPublished = counter("sourceflow.aws.event.published", "Events accepted by their SNS topic");
        eventDuration = seconds("sourceflow.aws.event.publish_duration", "From raise to acceptance by the topic (batching and retries included)");
        eventError = counter("sourceflow.aws.event.publish_error", "Events that could not be published");
        received = counter("sourceflow.aws.message.received", "Deliveries received from a queue (redeliveries included)");
        processed = counter("sourceflow.aws.message.processed", "Messages whose handlers completed");
        processingDuration = seconds("sourceflow.aws.message.processing_duration", "Decoding, decryption and handlers of one message");
        processingError = counter("sourceflow.aws.message.processing_error", "Deliveries that failed (retried or dead-lettered)");
        duplicates = counter("sourceflow.aws.message.duplicate", "Duplicate deliveries recognised and not handled again");
        deadLettered = counter("sourceflow.aws.message.dead_lettered", "Messages moved to their dead-letter queue");
        throttled = meter.counterBuilder("sourceflow.aws.throttled").setUnit("{request}")
                .setDescription("AWS calls refused by throttling (SQS, SNS, KMS)").build();
        inFlight = meter.upDownCounterBuilder("sourceflow.aws.message.in_flight").setUnit("{message}")
                .setDescription("Received messages being processed now").build();
    }

    static OtelBackend create(BeanManager beanManager) {
        return new OtelBackend(openTelemetry(beanManager));
    }

    /** The CDI bean the server provides (MicroProfile Telemetry), else the global instance (a no-op unless set). */
    private static OpenTelemetry openTelemetry(BeanManager beanManager) {
        if (beanManager != null) {
            Set<Bean<?>> beans = beanManager.getBeans(OpenTelemetry.class);
            if (!beans.isEmpty()) {
                Bean<?> bean = beanManager.resolve(beans);
                if (bean != null) {
                    return (OpenTelemetry) beanManager.getReference(bean, OpenTelemetry.class, beanManager.createCreationalContext(bean));
                }
            }
        }
        return GlobalOpenTelemetry.get();
    }

    private LongCounter counter(String name, String description) {
        return meter.counterBuilder(name).setUnit("{message}").setDescription(description).build();
    }

    private DoubleHistogram seconds(String name, String description) {
        return meter.histogramBuilder(name).setUnit("s").setDescription(description)
                .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS).build();
    }

    static Attributes metricAttributes(String destination, String logicalType) {
        return Attributes.of(DESTINATION, destination, MESSAGE_TYPE, logicalType);
    }

    /** Wrappers that say nothing of the failure's kind; their cause does. */
    private static final Set<String> WRAPPERS = Set.of("java.util.concurrent.CompletionException",
            "io.sourceflow.aws.SendFailedException", "io.sourceflow.aws.RetryableAwsException");

    /** The class of the failure that decided, e.g. {@code ...CircuitBreakerOpenException} or {@code ...SqsException}. */
    static String errorType(Throwable failure) {
        Throwable decisive = failure;
        while (WRAPPERS.contains(decisive.getClass().getName()) && decisive.getCause() != null) {
            decisive = decisive.getCause();
        }
        return className(decisive);
    }

    /** The class name, the original one for a masked copy. */
    static String className(Throwable failure) {
        return failure instanceof MaskedFailure masked ? masked.originalClassName() : failure.getClass().getName();
    }

    @Override
    public OutboundObservation send(boolean command, String logicalType, String destination) {
        String operation = command ? "send" : "publish";
        Span span = tracer.spanBuilder(operation + " " + destination)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(SYSTEM, command ? SQS : SNS)
                .setAttribute(DESTINATION, destination)
                .setAttribute(OPERATION_TYPE, "send")
                .setAttribute(OPERATION_NAME, operation)
                .setAttribute(MESSAGE_TYPE, logicalType)
                .startSpan();
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(Context.current().with(span), carrier, Map::put);
        return new Outbound(command, logicalType, destination, span, carrier.get("traceparent"), carrier.get("tracestate"));
    }

    private static final AttributeKey<Boolean> DISCARDED = AttributeKey.booleanKey("sourceflow.send.discarded");

    private final class Outbound implements OutboundObservation {
        private final boolean command;
        private final Attributes attributes;
        private final Span span;
        private final String traceparent;
        private final String tracestate;
        private final long start = System.nanoTime();

        Outbound(boolean command, String logicalType, String destination, Span span, String traceparent, String tracestate) {
            this.command = command;
            this.attributes = metricAttributes(destination, logicalType);
            this.span = span;
            this.traceparent = traceparent;
            this.tracestate = tracestate;
        }

        @Override
        public String traceparent() {
            return traceparent;
        }

        @Override
        public String tracestate() {
            return tracestate == null || tracestate.isEmpty() ? null : tracestate;
        }

        @Override
        public void messageId(String messageId, int size) {
            span.setAttribute(MESSAGE_ID, messageId);
            span.setAttribute(BODY_SIZE, (long) size);
        }

        @Override
        public void end(Throwable failure) {
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failure == null) {
                (command ? commandDispatched : eventPublished).add(1, attributes);
                (command ? commandDuration : eventDuration).record(seconds, attributes);
            } else {
                (command ? commandError : eventError).add(1, attributes.toBuilder().put(ERROR_TYPE, errorType(failure)).build());
                recordFailure(span, failure);
            }
            span.end();
        }

        @Override
        public void discard() {
            span.setAttribute(DISCARDED, true);
            span.end();
        }
    }

    static void recordFailure(Span span, Throwable failure) {
        span.setAttribute(ERROR_TYPE, errorType(failure));
        span.recordException(failure, Attributes.of(AttributeKey.stringKey("exception.type"), className(failure)));
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }

    @Override
    public InboundObservation receive(String queue, int receiveCount) {
        inFlight.add(1, Attributes.of(DESTINATION, queue));
        return new Inbound(queue, receiveCount);
    }

    private final class Inbound implements InboundObservation {
        private final String queue;
        private final int receiveCount;
        private final long startNanos = System.nanoTime();
        private final long startEpochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        private volatile String logicalType;
        private volatile Span span;

        Inbound(String queue, int receiveCount) {
            this.queue = queue;
            this.receiveCount = receiveCount;
        }

        @Override
        public void decoded(String type, String messageId, String traceparent, String tracestate) {
            logicalType = type;
            received.add(1, metricAttributes(queue, type));
            Map<String, String> carrier = new HashMap<>(4);
            if (traceparent != null) {
                carrier.put("traceparent", traceparent);
            }
            if (tracestate != null) {
                carrier.put("tracestate", tracestate);
            }
            SpanContext producer = Span.fromContext(propagator.extract(Context.root(), carrier, GETTER)).getSpanContext();
            SpanBuilder builder = processSpan();
            if (producer.isValid()) {
                builder.setParent(Context.root().with(Span.wrap(producer))).addLink(producer);
            } else {
                builder.setNoParent();
            }
            span = builder.setAttribute(MESSAGE_ID, messageId).setAttribute(MESSAGE_TYPE, type).startSpan();
        }

        private SpanBuilder processSpan() {
            return tracer.spanBuilder("process " + queue)
                    .setSpanKind(SpanKind.CONSUMER)
                    .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
                    .setAttribute(SYSTEM, SQS)
                    .setAttribute(DESTINATION, queue)
                    .setAttribute(OPERATION_TYPE, "process")
                    .setAttribute(OPERATION_NAME, "process")
                    .setAttribute(RECEIVE_COUNT, (long) receiveCount);
        }

        @Override
        public <T> T inContext(Supplier<T> work) {
            Span current = span;
            if (current == null) {
                return work.get();
            }
            try (Scope ignored = current.makeCurrent()) {
                return work.get();
            }
        }

        @Override
        public void end(Result result, String reason, Throwable failure) {
            inFlight.add(-1, Attributes.of(DESTINATION, queue));
            String type = logicalType;
            Span current = span;
            if (type == null) { // never decoded: count the delivery and show it as a root span
                type = UNKNOWN_TYPE;
                received.add(1, metricAttributes(queue, type));
                current = processSpan().setNoParent().startSpan();
            }
            Attributes attributes = metricAttributes(queue, type);
            processingDuration.record((System.nanoTime() - startNanos) / 1e9, attributes);
            if (result == Result.HANDLED) {
                processed.add(1, attributes);
            } else if (result == Result.DUPLICATE || result == Result.HELD_ELSEWHERE) {
                // not errors: the idempotency check skipped the handler (counted in ProcessingStatistics)
                current.setAttribute("sourceflow.idempotency.result", result.name().toLowerCase(java.util.Locale.ROOT));
            } else {
                String error = reason != null ? reason : failure != null ? errorType(failure) : "_other";
                processingError.add(1, attributes.toBuilder().put(ERROR_TYPE, error).build());
                if (reason != null) {
                    current.setAttribute(DEAD_LETTER_REASON, reason);
                }
                if (failure != null) {
                    recordFailure(current, failure);
                    if (reason != null) {
                        current.setAttribute(ERROR_TYPE, reason);
                    }
                } else {
                    current.setAttribute(ERROR_TYPE, error);
                    current.setStatus(StatusCode.ERROR, error);
                }
            }
            current.end();
        }
    }

    @Override
    public void duplicate(String queue, String logicalType) {
        duplicates.add(1, metricAttributes(queue, logicalType == null ? UNKNOWN_TYPE : logicalType));
    }

    @Override
    public void deadLettered(String queue, String reason) {
        deadLettered.add(1, Attributes.of(DESTINATION, queue, DEAD_LETTER_REASON, reason == null ? "_other" : reason));
    }

    @Override
    public void throttled(String service, String operation) {
        throttled.add(1, Attributes.of(RPC_SYSTEM, "aws-api", RPC_SERVICE, service, RPC_METHOD, operation));
    }

    @Override
    public void watchQueueDepth(String queue, LongSupplier depth, Executor executor, long intervalNanos) {
        depths.put(queue, new DepthWatch(queue, depth, executor, intervalNanos));
        if (depthGaugeRegistered.compareAndSet(false, true)) {
            meter.gaugeBuilder("sourceflow.aws.queue.depth").ofLongs().setUnit("{message}")
                    .setDescription("ApproximateNumberOfMessages of the polled queues and their dead-letter queues")
                    .buildWithCallback(measurement -> depths.values().forEach(watch -> {
                        long value = watch.current();
                        if (value >= 0) {
                            measurement.record(value, Attributes.of(DESTINATION, watch.queue));
                        }
                    }));
        }
    }

    @Override
    public void watchOutbox(LongSupplier pending, DoubleSupplier lagSeconds, LongSupplier parked) {
        meter.gaugeBuilder("sourceflow.aws.outbox.pending").ofLongs().setUnit("{message}")
                .setDescription("Messages in the transactional outbox waiting to be relayed (parked ones not included)")
                .buildWithCallback(measurement -> measurement.record(pending.getAsLong()));
        meter.gaugeBuilder("sourceflow.aws.outbox.lag").setUnit("s")
                .setDescription("Age of the oldest message in the transactional outbox waiting to be relayed")
                .buildWithCallback(measurement -> measurement.record(lagSeconds.getAsDouble()));
        meter.gaugeBuilder("sourceflow.aws.outbox.parked").ofLongs().setUnit("{message}")
                .setDescription("Messages parked in the transactional outbox: SQS or SNS can never accept them as they are")
                .buildWithCallback(measurement -> measurement.record(parked.getAsLong()));
    }

    /** A queue's depth, read in the background at most once per interval and only while someone collects. */
    private static final class DepthWatch {
        private static final System.Logger LOG = System.getLogger(DepthWatch.class.getName());
        private final String queue;
        private final LongSupplier depth;
        private final Executor executor;
        private final long intervalNanos;
        private final AtomicBoolean refreshing = new AtomicBoolean();
        private volatile long value = -1;
        private volatile long readAt;
        private volatile boolean read;

        DepthWatch(String queue, LongSupplier depth, Executor executor, long intervalNanos) {
            this.queue = queue;
            this.depth = depth;
            this.executor = executor;
            this.intervalNanos = intervalNanos;
        }

        long current() {
            if ((!read || System.nanoTime() - readAt >= intervalNanos) && refreshing.compareAndSet(false, true)) {
                try {
                    executor.execute(this::refresh);
                } catch (RejectedExecutionException e) {
                    refreshing.set(false);
                }
            }
            return value;
        }

        private void refresh() {
            try {
                value = depth.getAsLong();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Could not read the depth of queue " + queue + ": " + e.getMessage());
            } finally {
                readAt = System.nanoTime();
                read = true;
                refreshing.set(false);
            }
        }
    }
}
