package io.sourceflow.aws.inbound;

import io.sourceflow.aws.BatchEntries;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the messages of running handlers invisible: before a message's visibility timeout runs out, it is
 * extended by another timeout ({@link VisibilityChanges}, up to 10 per request), until the message has
 * been extended for {@code max-visibility-extension} in total. A message stops being extended the moment
 * its handler ends ({@link Lease#end()}), whatever the outcome.
 */
final class VisibilityHeartbeat {

    private static final System.Logger LOG = System.getLogger(VisibilityHeartbeat.class.getName());

    private final VisibilityChanges visibility;
    private final String queueName;
    private final Executor executor;
    private final long visibilityNanos;
    private final long maxExtensionNanos;
    private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledExecutorService scheduler;
    private final long tickNanos;
    // scheduled only while handlers run, so an idle (or suspended) server has no periodic task of ours
    private ScheduledFuture<?> ticker;
    private boolean stopped;

    /** One received message, protected until it is settled or released. */
    final class Lease {
        private final long id;
        private final String receiptHandle;
        private final String messageId;
        private final long receivedAt;
        private volatile long visibleAt;
        private volatile boolean capped;

        private Lease(long id, String receiptHandle, String messageId, long receivedAt) {
            this.id = id;
            this.receiptHandle = receiptHandle;
            this.messageId = messageId;
            this.receivedAt = receivedAt;
            this.visibleAt = receivedAt + visibilityNanos;
        }

        /** Stops extending this message. */
        void end() {
            leases.remove(id);
        }

        /**
         * Whether the message's visibility has run out by this heartbeat's own clock: SQS may have handed it to someone
         * else. (An extension of an expired receipt handle is accepted by SQS and does nothing, so its success proves
         * nothing.)
         */
        boolean expired() {
            return System.nanoTime() - visibleAt >= 0;
        }
    }

    VisibilityHeartbeat(VisibilityChanges visibility, String queueName, Executor executor, ScheduledExecutorService scheduler,
                        Duration visibilityTimeout, Duration maxExtension) {
        this.visibility = visibility;
        this.queueName = queueName;
        this.executor = executor;
        this.visibilityNanos = visibilityTimeout.toNanos();
        this.maxExtensionNanos = maxExtension.toNanos();
        this.scheduler = scheduler;
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(200), visibilityNanos / 4);
    }

    /** Starts tracking a message received at {@code receivedAtNanos} (System.nanoTime). */
    Lease begin(String receiptHandle, String messageId, long receivedAtNanos) {
        long id = ids.incrementAndGet();
        Lease lease = new Lease(id, receiptHandle, messageId, receivedAtNanos);
        leases.put(id, lease);
        synchronized (this) {
            if (ticker == null && !stopped) {
                try {
                    ticker = scheduler.scheduleWithFixedDelay(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    LOG.log(System.Logger.Level.DEBUG, "No heartbeat for queue " + queueName + ": the scheduler is stopping");
                }
            }
        }
        return lease;
    }

    int tracked() {
        return leases.size();
    }

    synchronized void stop() {
        stopped = true;
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        leases.clear();
    }

    private void tick() {
        try {
            extendDue();
        } catch (Throwable e) { // an exception would cancel the scheduled heartbeat for good
            LOG.log(System.Logger.Level.WARNING, "The visibility heartbeat of queue " + queueName + " failed; "
                    + "retrying at the next heartbeat", e);
        }
    }

    private void extendDue() {
        synchronized (this) {
            if (leases.isEmpty() && ticker != null) {
                ticker.cancel(false);
                ticker = null;
                return;
            }
        }
        long now = System.nanoTime();
        List<Lease> due = new ArrayList<>();
        for (Lease lease : leases.values()) {
            // extend when less than half a timeout is left, so one missed tick still leaves time
            if (!lease.capped && lease.visibleAt - now < visibilityNanos / 2) {
                if (now + visibilityNanos - lease.receivedAt > maxExtensionNanos + visibilityNanos) {
                    lease.capped = true;
                    LOG.log(System.Logger.Level.WARNING, "Handler of message " + lease.messageId + " on queue " + queueName
                            + " has run past sourceflow.aws.max-visibility-extension; its message is no longer extended and "
                            + "may be delivered again");
                    continue;
                }
                due.add(lease);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> extend(due, now));
        } catch (RejectedExecutionException e) {
            extend(due, now);
        }
    }

    private void extend(List<Lease> due, long now) {
        int seconds = (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(visibilityNanos));
        for (List<Lease> batch : BatchEntries.partition(due)) {
            try {
                long sentAt = System.nanoTime();
                visibility.changeBatch(batch, lease -> lease.receiptHandle, seconds, lease -> {
                    if (lease.visibleAt - sentAt > 0) { // only an extension asked for before the expiry extends
                        lease.visibleAt = now + visibilityNanos;
                    }
                }, (lease, error) -> { });
            } catch (RuntimeException e) { // SdkException, or a client already closed at shutdown
                LOG.log(System.Logger.Level.WARNING, "Could not extend the visibility of " + batch.size() + " message(s) of queue "
                        + queueName + " (" + e.getMessage() + "); retrying at the next heartbeat");
            }
        }
    }
}
