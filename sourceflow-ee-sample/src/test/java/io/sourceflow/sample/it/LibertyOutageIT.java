package io.sourceflow.sample.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The transactional outbox through an outage (issue 14): the sample on Open Liberty reaches the emulator through an
 * {@link EmulatorProxy}; while a concurrent client places 200 orders, the emulator becomes unreachable for 60 s
 * (connections refused, open ones reset). Orders keep being accepted (their messages wait in the outbox), readiness
 * reports the outage, and after the emulator is back every order reaches PAID with every saga step committed once,
 * readiness is UP again and the outbox is empty. With {@code -Dsample.it.outbox=false} (messages sent from memory
 * after the commit) what was committed during the outage is never paid.
 */
class LibertyOutageIT {

    private static final int ORDERS = 200;
    private static final int CLIENTS = 4;
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    private static Moto moto;
    private static EmulatorProxy proxy;
    private static LibertyServer server;

    @BeforeAll
    static void start() throws Exception {
        LibertyServer.home();
        Environment.requireDatabase();
        moto = Moto.start(Environment.path("sample.work-dir"));
        proxy = EmulatorProxy.start(moto.endpoint());
        server = LibertyServer.start("sample-outage",
                SampleServer.sampleSettings(moto, "liberty-outage").withEndpoint(proxy.endpoint()));
    }

    @AfterAll
    static void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            SampleChecks.stopAndAssertNoErrors(server, moto);
        }
    }

    @Test
    void ordersPlacedWhileTheEmulatorIsUnreachableForAMinuteAreAllPaidOnceItIsBack() throws Exception {
        String run = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger placed = new AtomicInteger();
        java.util.Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Future<?>> done = new ArrayList<>();
        long cutAt;
        try {
            for (int c = 0; c < CLIENTS; c++) {
                done.add(clients.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < ORDERS) {
                        try {
                            accepted.add(SampleChecks.placeOrderRetrying(server, run + "-" + i, (10 + i % 90) + ".75"));
                            placed.incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                    return null;
                }));
            }
            awaitCondition("a quarter of the orders placed", Duration.ofMinutes(2), () -> {
                if (failure.get() != null) {
                    throw new AssertionError("placing an order failed before the outage", failure.get());
                }
                return placed.get() >= ORDERS / 4;
            });
            proxy.cut();
            cutAt = System.nanoTime();
            System.out.printf("Liberty outage test: emulator cut after %d orders%n", placed.get());
            awaitCondition("readiness DOWN while the emulator is unreachable", OUTAGE.minusSeconds(10),
                    () -> Http.get(server.baseUri().resolve("/health/ready")).status() == 503);
            for (Future<?> client : done) {
                client.get(OUTAGE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        if (failure.get() != null) {
            throw new AssertionError("placing an order failed during the outage", failure.get());
        }
        assertEquals(ORDERS, placed.get(), "orders accepted (202)");
        long waiting = SampleDatabase.outboxRows();
        long left = OUTAGE.toNanos() - (System.nanoTime() - cutAt);
        assertTrue(left > 0, "the " + ORDERS + " POSTs took longer than the outage");
        // the outage itself: its length is what the test is about, not a condition to wait for
        TimeUnit.NANOSECONDS.sleep(left);
        System.out.printf("Liberty outage test: emulator back after %d s; %d outbox rows waited (%d just after the burst)%n",
                OUTAGE.toSeconds(), SampleDatabase.outboxRows(), waiting);
        proxy.restore();
        assertEquals(0, proxy.answeredWhileCut(), "requests that reached the emulator during the outage");

        // an order row is written when its PlaceOrder is handled: the ones accepted during the outage appear now
        try {
            awaitCondition("all " + ORDERS + " orders stored", Duration.ofMinutes(3), () -> SampleDatabase.ordersOf(run) == ORDERS);
        } catch (AssertionError e) {
            java.util.Set<String> missing = new java.util.TreeSet<>(accepted);
            missing.removeAll(SampleDatabase.committedOrders(run));
            throw new AssertionError(e.getMessage() + "; orders answered 202 but never stored: " + missing
                    + "; queues now: " + queueDepths(), e);
        }
        SampleDatabase.awaitAllPaid(run, Duration.ofMinutes(5));
        SampleChecks.assertEachStepOnce(SampleDatabase.committedOrders(run), Duration.ofSeconds(60));
        SampleDatabase.awaitOutboxEmpty(Duration.ofSeconds(60));
        awaitCondition("readiness UP again", Duration.ofSeconds(60),
                () -> Http.get(server.baseUri().resolve("/health/ready")).status() == 200);
        assertTrue(waiting > 0, "no message waited in the outbox during the outage");
    }

    /** Messages visible and in flight per queue of the emulator (dead-letter queues included), for a failure message. */
    private static java.util.Map<String, String> queueDepths() {
        java.util.Map<String, String> depths = new java.util.TreeMap<>();
        try (software.amazon.awssdk.services.sqs.SqsClient sqs = moto.sqs()) {
            for (String url : sqs.listQueues().queueUrls()) {
                java.util.Map<String, String> a = new java.util.TreeMap<>();
                sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("ApproximateNumberOfMessages",
                        "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings().forEach(a::put);
                depths.put(url.substring(url.lastIndexOf('/') + 1), a.values().toString());
            }
        } catch (RuntimeException e) {
            depths.put("error", e.toString());
        }
        return depths;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitCondition(String what, Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(100);
        }
        fail(what + ": not within " + timeout);
    }
}
