package io.sourceflow.telemetry;

import java.util.concurrent.Executor;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Telemetry off: no OpenTelemetry API on the class path. Allocates nothing per message. */
final class NoopBackend implements Backend {

    static final NoopBackend INSTANCE = new NoopBackend();

    private static final OutboundObservation OUTBOUND = new OutboundObservation() {
        @Override
        public String traceparent() {
            return null;
        }

        @Override
        public String tracestate() {
            return null;
        }

        @Override
        public void messageId(String messageId, int size) {
        }

        @Override
        public void end(Throwable failure) {
        }
        @Override
        public void discard() {
        }
    };

    private static final InboundObservation INBOUND = new InboundObservation() {
        @Override
        public void decoded(String logicalType, String messageId, String traceparent, String tracestate) {
        }

        @Override
        public <T> T inContext(Supplier<T> work) {
            return work.get();
        }

        @Override
        public void end(Result result, String reason, Throwable failure) {
        }
    };

    private NoopBackend() {
    }

    @Override
    public OutboundObservation send(boolean command, String logicalType, String destination) {
        return OUTBOUND;
    }

    @Override
    public InboundObservation receive(String queue, int receiveCount) {
        return INBOUND;
    }

    @Override
    public void duplicate(String queue, String logicalType) {
    }

    @Override
    public void deadLettered(String queue, String reason) {
    }

    @Override
    public void throttled(String service, String operation) {
    }

    @Override
    public void watchQueueDepth(String queue, LongSupplier depth, Executor executor, long intervalNanos) {
    }

    @Override
    public void watchOutbox(LongSupplier pending, DoubleSupplier lagSeconds, LongSupplier parked) {
    }
}
