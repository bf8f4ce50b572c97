package io.sourceflow.health;

import io.sourceflow.aws.TransportStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Startup;

import java.util.Locale;

/**
 * Startup check {@value #NAME}: UP once provisioning and name resolution finished (or when the deployment
 * routes nothing through AWS), DOWN while they run, and DOWN with the error when they failed. Data:
 * {@code phase}, {@code provisioning} (the mode), {@code aws} (whether AWS is used), {@code error}.
 * It makes no AWS call.
 */
@Startup
@Singleton
public final class SourceFlowStartupCheck implements HealthCheck {

    /** The check's name in {@code /health/started}. */
    public static final String NAME = "sourceflow-startup";

    private final TransportStatus status;

    @Inject
    SourceFlowStartupCheck(TransportStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        TransportStatus.Startup startup = status.startup();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .status(startup.phase() == TransportStatus.Phase.STARTED)
                .withData("phase", startup.phase().name().toLowerCase(Locale.ROOT))
                .withData("provisioning", startup.provisioning().name().toLowerCase(Locale.ROOT))
                .withData("aws", startup.usesAws());
        startup.failure().ifPresent(error -> response.withData("error", error));
        return response.build();
    }
}
