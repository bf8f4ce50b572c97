package io.sourceflow.bench;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When SQS accepted each message: an SDK interceptor on SourceFlow's clients that, when a SendMessageBatch response
 * came back, stamps {@link System#nanoTime()} on every entry it accepted (failed entries excluded). An entry is mapped
 * back to the application's transaction by the {@code seq} of its {@link BenchBeans.BenchCommand} in the body's data.
 * One run at a time.
 */
final class AcceptClock implements ExecutionInterceptor {

    static final AcceptClock INSTANCE = new AcceptClock();

    private static final String SEQ = "\"seq\":";

    /** The acceptances of one run of {@code n} messages, seq 0..n-1. */
    static final class Run {
        final int n;
        final long[] acceptedAt;
        final AtomicIntegerArray times;
        final CountDownLatch all;
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong failedEntries = new AtomicLong();
        final AtomicLong foreign = new AtomicLong();
        final AtomicLong batches = new AtomicLong();

        Run(int n) {
            this.n = n;
            this.acceptedAt = new long[n];
            this.times = new AtomicIntegerArray(n);
            this.all = new CountDownLatch(n);
        }

        void accepted(long seq, long now) {
            if (seq < 0 || seq >= n) {
                foreign.incrementAndGet();
                return;
            }
            int i = (int) seq;
            if (times.getAndIncrement(i) == 0) {
                acceptedAt[i] = now;
                all.countDown();
            } else {
                duplicates.incrementAndGet();
            }
        }

        boolean await(long seconds) throws InterruptedException {
            return all.await(seconds, TimeUnit.SECONDS);
        }

        long accepted() {
            return n - all.getCount();
        }
    }

    private volatile Run current = new Run(0);

    private AcceptClock() {
    }

    Run begin(int n) {
        Run run = new Run(n);
        current = run;
        return run;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof SendMessageBatchRequest request)) {
            return;
        }
        long now = System.nanoTime();
        Run run = current;
        run.batches.incrementAndGet();
        Set<String> failed = new HashSet<>();
        if (context.response() instanceof SendMessageBatchResponse response) {
            for (BatchResultErrorEntry error : response.failed()) {
                failed.add(error.id());
            }
        }
        for (SendMessageBatchRequestEntry entry : request.entries()) {
            if (failed.contains(entry.id())) {
                run.failedEntries.incrementAndGet();
            } else {
                run.accepted(seqOf(entry.messageBody()), now);
            }
        }
    }

    /** The {@code seq} of a BenchCommand's body, or -1. */
    static long seqOf(String body) {
        int at = body.indexOf(SEQ);
        if (at < 0) {
            return -1;
        }
        int i = at + SEQ.length();
        boolean negative = i < body.length() && body.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < body.length() && Character.isDigit(body.charAt(i))) {
            value = value * 10 + (body.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 || negative ? -1 : value;
    }
}
