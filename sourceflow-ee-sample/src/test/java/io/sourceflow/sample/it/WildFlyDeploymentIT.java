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
     * Known library bug, not the sample's: on WildFly 38 the management {@code /health} lists none of SourceFlow's
     * checks, although an application's own {@code @Readiness} bean in WEB-INF/classes does appear there (tried).
     * SourceFlowExtension adds the check classes with {@code BeforeBeanDiscovery.addAnnotatedType} from a jar without
     * beans.xml, and WildFly's MicroProfile Health CDI extension, which looks the checks up with
     * {@code BeanManager.createInstance().select(HealthCheck.class, Readiness/Liveness/Startup)} in
     * {@code AfterDeploymentValidation}, does not see those synthetic types. Enable this test once it is fixed.
     */
    @Test
    @Order(2)
    @org.junit.jupiter.api.Disabled("known issue: WildFly 38's MicroProfile Health does not list SourceFlow's checks (the API is "
            + "visible and the beans exist; WildFly finds checks with BeanManager.createInstance().select(HealthCheck, qualifier) "
            + "and gets none of ours). Open Liberty lists them; see the README, Known issues")
    void sourceFlowChecksAreUp() throws Exception {
        SampleChecks.assertSourceFlowChecksUp(SampleChecks.assertHealthUpWithoutSourceFlowChecks(server));
    }

    @Test
    @Order(3)
    void badRequestsGetProblemAnswers() throws Exception {
        SampleChecks.assertBadRequestsAreProblems(server);
    }
}
