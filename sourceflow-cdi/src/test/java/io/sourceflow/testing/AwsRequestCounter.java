package io.sourceflow.testing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts AWS SDK calls per operation name (e.g. {@code "SendMessageBatch"}); one count per
 * API call, retries not included. Thread-safe. Register it with
 * {@code ClientOverrideConfiguration.builder().addExecutionInterceptor(counter)}.
 */
public final class AwsRequestCounter implements ExecutionInterceptor {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        counts.computeIfAbsent(operation == null ? "?" : operation, k -> new LongAdder()).increment();
    }

    /** Calls of one operation since creation or the last {@link #reset()}. */
    public long count(String operation) {
        LongAdder adder = counts.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    /** Calls of all operations. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Counts of all operations called at least once, sorted by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((op, adder) -> {
            long n = adder.sum();
            if (n > 0) {
                result.put(op, n);
            }
        });
        return result;
    }

    /** Sets all counts to zero. */
    public void reset() {
        counts.clear();
    }

    @Override
    public String toString() {
        return "AwsRequestCounter" + snapshot();
    }
}
