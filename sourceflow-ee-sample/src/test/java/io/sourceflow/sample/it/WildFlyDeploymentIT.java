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
 * The sample on a real WildFly server (standalone-microprofile.xml) (started once for this class) against moto and the machine's
 * PostgreSQL: an order becomes PAID, {@code /health} is UP, bad requests get problem answers, and the server
 * log has no errors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlyDeploymentIT {

    /**
     * Known library bug, not the sample's: io.sourceflow.aws.VisibilityHeartbeat keeps its periodic task on the
     * container's ManagedScheduledExecutorService until QueueListener.stop(), and WildFly, once suspended for
     * shutdown, refuses each run with ERROR WFLYEE0110/WFLYEE0111. Tolerated by this exact pattern only.
     */
    private static final List<Pattern> LIBRARY_SHUTDOWN_NOISE = List.of(Pattern.compile(
            "WFLYEE0110: Failed to run scheduled task: io\\.sourceflow\\.aws\\.VisibilityHeartbeat.*WFLYEE0111"));

    private static Moto moto;
    private static WildFlyServer server;

    @BeforeAll
    static void start() throws Exception {
        WildFlyServer.home();
        Environment.requireDatabase();
        Path work = Environment.path("sample.work-dir");
        moto = Moto.start(work);
        long t0 = System.nanoTime();
        server = WildFlyServer.start(SampleServer.sampleSettings(moto, "wildfly"));
        System.out.printf("WildFly up in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, server);
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.stop();
                SampleChecks.assertNoErrors(server, LIBRARY_SHUTDOWN_NOISE);
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
        System.out.printf("WildFly: order PAID %d ms after POST%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals("alice", order.getString("customer"));
        assertEquals(42.5, order.getJsonNumber("total").doubleValue());
        SampleChecks.assertEachStepOnce(List.of(orderId), Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void healthIsUp() throws Exception {
        SampleChecks.assertHealthUpWithoutSourceFlowChecks(server);
    }

    /**
     * SourceFlow's checks are listed by WildFly's management {@code /health}. This guards the library jar's
     * {@code META-INF/beans.xml}: without it, WildFly puts the check types that SourceFlowExtension adds into a
     * synthetic {@code deployment.ROOT.war.additionalClasses} bean archive that WildFly's MicroProfile Health
     * extension (a server module) cannot see, and {@code /health} lists only the default checks.
     */
    @Test
    @Order(2)
    void sourceFlowChecksAreUp() throws Exception {
        SampleChecks.assertSourceFlowChecksUp(SampleChecks.assertHealthUpWithoutSourceFlowChecks(server));
    }

    @Test
    @Order(3)
    void badRequestsGetProblemAnswers() throws Exception {
        SampleChecks.assertBadRequestsAreProblems(server);
    }
}
