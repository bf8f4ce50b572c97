package io.sourceflow.telemetry;

import java.util.concurrent.Executor;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/** What a telemetry implementation provides; {@link NoopBackend} or {@code OtelBackend}. */
interface Backend {

    OutboundObservation send(boolean command, String logicalType, String destination);

    InboundObservation receive(String queue, int receiveCount);

    void duplicate(String queue, String logicalType);

    void deadLettered(String queue, String reason);

    void throttled(String service, String operation);

    void watchQueueDepth(String queue, LongSupplier depth, Executor executor, long intervalNanos);

    void watchOutbox(LongSupplier pending, DoubleSupplier lagSeconds, LongSupplier parked);
}
