package io.sourceflow.bench;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where handlers (SourceFlow's and the baseline's) report: how many messages reached a handler, when the first
 * and the last did, and the send-to-handler-start latency of each. One run at a time.
 */
final class Sink {

    private static volatile Run current = new Run(0);

    private Sink() {
    }

    static final class Run {
        final int expected;
        final CountDownLatch done;
        final AtomicInteger handled = new AtomicInteger();
        final AtomicLong firstNanos = new AtomicLong();
        volatile long lastNanos;
        final long[] latencies;

        Run(int expected) {
            this.expected = expected;
            this.done = new CountDownLatch(expected);
            this.latencies = new long[Math.max(expected, 1)];
        }

        boolean await(long seconds) throws InterruptedException {
            return done.await(seconds, TimeUnit.SECONDS);
        }

        boolean awaitMillis(long millis) throws InterruptedException {
            return done.await(millis, TimeUnit.MILLISECONDS);
        }

        int handled() {
            return Math.min(handled.get(), expected);
        }

        /** Latencies (ns) of the handled messages from index {@code from} on, sorted. */
        long[] sortedLatencies(int from) {
            int n = handled();
            long[] copy = Arrays.copyOfRange(latencies, Math.min(from, n), n);
            Arrays.sort(copy);
            return copy;
        }
    }

    static Run begin(int expected) {
        Run run = new Run(expected);
        current = run;
        return run;
    }

    static void handled(long sentAtNanos) {
        long now = System.nanoTime();
        Run run = current;
        int index = run.handled.getAndIncrement();
        if (index < run.expected) {
            run.firstNanos.compareAndSet(0, now);
            run.latencies[index] = now - sentAtNanos;
            run.lastNanos = now;
            run.done.countDown();
        }
    }
}
