package io.sourceflow.sample.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Two Open Liberty servers with the same sample WAR, on different ports, sharing one database and one emulator:
 * 50 orders placed alternately on both all reach PAID, and every saga step of every order committed exactly once
 * (counted in {@code saga_step}), whichever server handled it.
 */
class TwoLibertyServersIT {

    private static final int ORDERS = 50;

    private static Moto moto;
    private static LibertyServer first;
    private static LibertyServer second;

    @BeforeAll
    static void start() throws Exception {
        LibertyServer.home();
        Environment.requireDatabase();
        moto = Moto.start(Environment.path("sample.work-dir"));
        first = LibertyServer.start("sample-a", SampleServer.sampleSettings(moto, "liberty-a"));
        second = LibertyServer.start("sample-b", SampleServer.sampleSettings(moto, "liberty-b"));
    }

    @AfterAll
    static void stop() {
        try {
            for (LibertyServer server : new LibertyServer[] {first, second}) {
                if (server != null) {
                    server.stop();
                }
            }
            for (LibertyServer server : new LibertyServer[] {first, second}) {
                if (server != null) {
                    SampleChecks.assertNoErrors(server, List.<Pattern>of());
                }
            }
        } finally {
            if (moto != null) {
                moto.close();
            }
        }
    }

    @Test
    void fiftyOrdersOnTwoServersAreEachPaidWithEveryStepOnce() throws Exception {
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            SampleServer server = i % 2 == 0 ? first : second;
            ids.add(SampleChecks.placeOrder(server, "customer-" + i, (10 + i) + ".25"));
        }
        for (int i = 0; i < ids.size(); i++) {
            // read each order from the other server than the one it was placed on
            SampleChecks.awaitPaid(i % 2 == 0 ? second : first, ids.get(i), Duration.ofSeconds(120));
        }
        long paid = (System.nanoTime() - t0) / 1_000_000;
        SampleChecks.assertEachStepOnce(ids, Duration.ofSeconds(30));
        System.out.printf("Two Liberty servers: %d orders PAID %d ms after the first POST; every step once%n", ORDERS, paid);
    }
}
