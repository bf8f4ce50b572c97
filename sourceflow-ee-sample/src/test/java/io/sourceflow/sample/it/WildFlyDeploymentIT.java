package io.sourceflow.sample.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sample on a real WildFly server (standalone-microprofile.xml) (started once for this class) against moto and the machine's
 * PostgreSQL: an order becomes PAID, {@code /health} is UP, bad requests get problem answers, SourceFlow keeps
 * working through a suspend and resume, and the server log has no errors. configure.cli is idempotent: the server
 * is configured twice before it starts. The server is the test's own copy (see {@link WildFlyServer}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlyDeploymentIT {

    private static Moto moto;
    private static WildFlyServer server;

    @BeforeAll
    static void start() throws Exception {
        WildFlyServer.home();
        Environment.requireDatabase();
        Path work = Environment.path("sample.work-dir");
        moto = Moto.start(work);
        long t0 = System.nanoTime();
        SampleServer.Settings settings = SampleServer.sampleSettings(moto, "wildfly");
        // cleanup every second, so that suspendAndResume sees it run while the server is suspended
        settings.systemProperties().put("sourceflow.idempotency.jpa.cleanup.interval", "1s");
        server = WildFlyServer.start(settings);
        System.out.printf("WildFly up in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, server);
    }

    @AfterAll
    static void stop() {
        SampleChecks.stopAndAssertNoErrors(server, moto);
    }

    /**
     * configure.cli can be run again on a configured server: the second run (on the test's fresh copy, before the
     * server starts) succeeds and leaves standalone-microprofile.xml as the first run wrote it.
     */
    @Test
    @Order(1)
    void configureCliIsIdempotent() {
        List<WildFlyServer.CliRun> runs = server.configureRuns();
        assertEquals(2, runs.size(), "configure.cli runs");
        WildFlyServer.CliRun second = runs.get(1);
        assertEquals(0, second.exitCode(), () -> "configure.cli failed on its second run:\n" + second.output());
        assertEquals(runs.get(0).configAfter(), second.configAfter(),
                "the second run of configure.cli changed standalone-microprofile.xml");
    }

    @Test
    @Order(1)
    void anOrderBecomesPaid() throws Exception {
        SampleChecks.assertAnOrderBecomesPaid(server, "WildFly");
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
        RestEdgeChecks.assertOrderJsonIsStrict(server);
        RestEdgeChecks.assertErrorsAreUniformProblems(server);
        // WildFly's own max-post-size (10 MB) answers larger declared bodies before the application sees them
        RestEdgeChecks.assertBodiesAreCapped(server, 5 * 1024 * 1024);
    }

    /**
     * A suspended WildFly (as during a graceful shutdown) refuses every run of its ManagedScheduledExecutorService
     * with ERROR WFLYEE0111. SourceFlow's timers and the idempotency cleanup run on ManagedThreadFactory threads
     * instead: an expired idempotency row is cleaned while the server is suspended, nothing is logged at ERROR
     * (checked when the server stops), and after resume an order still goes through.
     */
    @Test
    @Order(4)
    void suspendAndResume() throws Exception {
        server.manage(":suspend");
        try {
            SampleChecks.assertExpiredIdempotencyRowsAreCleaned("wildfly-suspended", Duration.ofSeconds(30));
        } finally {
            server.manage(":resume");
        }
        String orderId = SampleChecks.placeOrder(server, "bob", "7.00");
        SampleChecks.awaitPaid(server, orderId, Duration.ofSeconds(60));
    }
}
