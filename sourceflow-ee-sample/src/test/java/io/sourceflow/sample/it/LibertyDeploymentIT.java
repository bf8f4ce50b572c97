package io.sourceflow.sample.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sample on a real Open Liberty server (started once for this class) against moto and the machine's
 * PostgreSQL: an order becomes PAID, {@code /health} is UP, bad requests get problem answers, and the server
 * log has no errors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibertyDeploymentIT {

    private static Moto moto;
    private static LibertyServer server;

    @BeforeAll
    static void start() throws Exception {
        LibertyServer.home();
        Environment.requireDatabase();
        Path work = Environment.path("sample.work-dir");
        moto = Moto.start(work);
        long t0 = System.nanoTime();
        server = LibertyServer.start("sample-it", SampleServer.sampleSettings(moto, "liberty"));
        System.out.printf("Open Liberty up in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, server);
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.stop();
                SampleChecks.assertNoErrors(server, List.<Pattern>of());
            }
        } finally {
            if (moto != null) {
                moto.close();
            }
        }
    }

    @Test
    @Order(1)
    void anOrderBecomesPaid() throws Exception {
        long t0 = System.nanoTime();
        String orderId = SampleChecks.placeOrder(server, "alice", "42.50");
        JsonObject order = SampleChecks.awaitPaid(server, orderId, Duration.ofSeconds(60));
        System.out.printf("Liberty: order PAID %d ms after POST%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals("alice", order.getString("customer"));
        assertEquals(42.5, order.getJsonNumber("total").doubleValue());
        SampleChecks.assertEachStepOnce(List.of(orderId), Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void healthIsUp() throws Exception {
        SampleChecks.assertHealthUp(server);
    }

    @Test
    @Order(3)
    void badRequestsGetProblemAnswers() throws Exception {
        SampleChecks.assertBadRequestsAreProblems(server);
    }
}
