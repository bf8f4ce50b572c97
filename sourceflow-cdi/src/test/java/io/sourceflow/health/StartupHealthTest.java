package io.sourceflow.health;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.TcpProxy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Startup health while provisioning runs. Provisioning runs in the deployment's start-up observer, so the
 * test takes the health reporter from an observer that runs just before it, and asks it from another thread.
 */
@ExtendWith(ElasticMqExtension.class)
class StartupHealthTest {

    /** Reporters handed out by deployments while they start, by service name (one per test). */
    static final Map<String, CompletableFuture<SmallRyeHealthReporter>> REPORTERS = new ConcurrentHashMap<>();

    /** Runs before SourceFlow's start-up observer (default priority) and hands the reporter to the test. */
    @ApplicationScoped
    public static class EarlyReporter {
        void handOut(@Observes @Priority(Interceptor.Priority.APPLICATION) @Initialized(ApplicationScoped.class) Object ignored,
                     SmallRyeHealthReporter reporter) {
            String service = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                    .getValue("sourceflow.service-name", String.class);
            REPORTERS.get(service).complete(reporter);
        }
    }

    @Test
    void startupIsDownWhileProvisioningRunsAndUpWhenItCompleted(ElasticMqServer elasticMq) throws Exception {
        String service = "starting-" + AwsTestConfig.unique();
        String queue = "startup-" + AwsTestConfig.unique();
        CompletableFuture<SmallRyeHealthReporter> handedOut = new CompletableFuture<>();
        REPORTERS.put(service, handedOut);
        try (TcpProxy proxy = TcpProxy.to(elasticMq.endpoint())) {
            proxy.hold(); // the endpoint is slow: provisioning waits for its answer
            Map<String, String> config = HealthChecksTest.config(proxy.endpoint(), queue);
            config.put("sourceflow.service-name", service);
            CompletableFuture<CdiContainer> deployment = CompletableFuture.supplyAsync(() ->
                    CdiContainer.start(config, HealthChecksTest.beans(HealthChecksTest.PingHandler.class, EarlyReporter.class)));
            try {
                SmallRyeHealthReporter reporter = handedOut.get(30, TimeUnit.SECONDS);
                // SourceFlow's observer has begun provisioning: its first request waits in the proxy
                await().atMost(Duration.ofSeconds(30)).until(() -> proxy.heldConnections() > 0);
                long asked = System.nanoTime();
                SmallRyeHealth starting = reporter.getStartup();
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("does not wait for provisioning").isLessThan(Duration.ofSeconds(2));
                assertThat(Health.isDown(starting, SourceFlowStartupCheck.NAME)).as(starting.getPayload().toString()).isTrue();
                assertThat(Health.data(starting, SourceFlowStartupCheck.NAME, "phase")).isEqualTo("starting");
                assertThat(Health.isDown(reporter.getReadiness(), SourceFlowReadinessCheck.NAME)).isTrue();
                assertThat(deployment).isNotDone();

                proxy.release();
                try (CdiContainer app = deployment.get(30, TimeUnit.SECONDS)) {
                    SmallRyeHealth started = app.select(SmallRyeHealthReporter.class).getStartup();
                    assertThat(Health.isUp(started, SourceFlowStartupCheck.NAME)).as(started.getPayload().toString()).isTrue();
                    assertThat(Health.data(started, SourceFlowStartupCheck.NAME, "phase")).isEqualTo("started");
                    assertThat(Health.isUp(app.select(SmallRyeHealthReporter.class).getReadiness(), SourceFlowReadinessCheck.NAME)).isTrue();
                }
            } finally {
                proxy.release();
                REPORTERS.remove(service);
            }
        }
    }

    @Test
    void aFailedProvisioningFailsTheDeploymentAndStartupReportsTheError(ElasticMqServer elasticMq) throws Exception {
        String service = "failing-" + AwsTestConfig.unique();
        String queue = "missing-" + AwsTestConfig.unique();
        CompletableFuture<SmallRyeHealthReporter> handedOut = new CompletableFuture<>();
        REPORTERS.put(service, handedOut);
        Map<String, String> config = HealthChecksTest.config(elasticMq.endpoint(), queue);
        config.put("sourceflow.service-name", service);
        config.put("sourceflow.aws.provisioning", "verify"); // the queue does not exist: startup fails
        try {
            assertThatThrownBy(() -> CdiContainer.start(config,
                    HealthChecksTest.beans(HealthChecksTest.PingHandler.class, EarlyReporter.class)))
                    .hasMessageContaining(queue);
            SmallRyeHealthReporter reporter = handedOut.get(1, TimeUnit.SECONDS);
            SmallRyeHealth failed = reporter.getStartup();
            assertThat(Health.isDown(failed, SourceFlowStartupCheck.NAME)).as(failed.getPayload().toString()).isTrue();
            assertThat(Health.data(failed, SourceFlowStartupCheck.NAME, "phase")).isEqualTo("failed");
            assertThat(Health.data(failed, SourceFlowStartupCheck.NAME, "error")).contains(queue);
        } finally {
            REPORTERS.remove(service);
        }
    }
}
