package io.sourceflow.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated {@code sourceflow.*} configuration of a deployment, read once at startup by
 * {@link SourceFlowConfigReader}.
 *
 * @param serviceName names this deployment: the event queue, the CloudEvents {@code source}
 * @param commandRoutes logical command type to queue ({@code sourceflow.routes.commands.<Type>}); wins over {@code @SendTo}
 * @param eventRoutes logical event type to topic ({@code sourceflow.routes.events.<Type>}); wins over {@code @RaiseTo}
 * @param listenQueues queues to poll in addition to those derived from handlers
 * @param subscribeTopics topics to subscribe the event queue to in addition to those derived from handlers
 * @param aws the AWS transport settings
 * @param idempotency idempotent processing settings
 * @param health the health checks' settings
 * @param telemetry traces and metrics settings
 * @param outbox the transactional outbox's settings
 */
public record SourceFlowConfig(Optional<String> serviceName, Map<String, String> commandRoutes,
                               Map<String, String> eventRoutes, List<String> listenQueues,
                               List<String> subscribeTopics, AwsSettings aws, IdempotencySettings idempotency,
                               HealthSettings health, TelemetrySettings telemetry, OutboxSettings outbox) {

    public SourceFlowConfig {
        commandRoutes = Map.copyOf(commandRoutes);
        eventRoutes = Map.copyOf(eventRoutes);
        listenQueues = List.copyOf(listenQueues);
        subscribeTopics = List.copyOf(subscribeTopics);
    }
}
