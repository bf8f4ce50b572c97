package io.sourceflow.bench;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts AWS API calls per operation at the client (one per API call, SDK retries not included). SourceFlow
 * adds every {@code ExecutionInterceptor} bean to its clients; the baseline adds it to its own client.
 *
 * <p>It also sends KMS requests to the KMS emulator: SourceFlow has one endpoint override for all services
 * ({@code sourceflow.aws.endpoint} = ElasticMQ), so a KMS request's port is rewritten to moto's. SQS traffic
 * goes straight to ElasticMQ, with no proxy in between.
 */
final class RequestCounter implements ExecutionInterceptor {

    /** The SQS operations that move messages (provisioning and name look-ups are one-time and not counted). */
    static final Set<String> SQS_DATA_PLANE = Set.of("SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
            "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch");

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Long> STARTED =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("bench.started");
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private volatile int kmsPort = -1;

    void routeKmsTo(int port) {
        kmsPort = port;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        counts.computeIfAbsent(operation == null ? "?" : operation, k -> new LongAdder()).increment();
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(STARTED);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        if (started != null && operation != null) {
            nanos.computeIfAbsent(operation, k -> new LongAdder()).add(System.nanoTime() - started);
        }
    }

    /** Mean wall time of one successful call of an operation, in milliseconds (NaN if none). */
    double meanMillis(String operation) {
        LongAdder total = nanos.get(operation);
        long n = count(operation);
        return total == null || n == 0 ? Double.NaN : total.sum() / 1e6 / n;
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        int port = kmsPort;
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        if (port > 0 && service != null && service.equalsIgnoreCase("kms")) {
            return context.httpRequest().toBuilder().port(port).build();
        }
        return context.httpRequest();
    }

    long count(String operation) {
        LongAdder adder = counts.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    long sqsDataPlane() {
        return SQS_DATA_PLANE.stream().mapToLong(this::count).sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((op, adder) -> {
            if (adder.sum() > 0) {
                result.put(op, adder.sum());
            }
        });
        return result;
    }

    void reset() {
        counts.clear();
        nanos.clear();
    }
}
