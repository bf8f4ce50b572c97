package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.Received;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command and event paths against LocalStack, for machines with a Docker engine. Where there is none
 * (our CI machines) JUnit reports it as skipped; every behaviour here is also tested on moto and ElasticMQ.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackTransportTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
            .withServices(LocalStackContainer.Service.SQS, LocalStackContainer.Service.SNS, LocalStackContainer.Service.STS);

    public record Ship(@EntityKey String orderId) implements Command {}

    public record Shipped(String orderId) implements Event {}

    @ApplicationScoped
    public static class Handlers {
        @Inject Received received;

        void on(@Handles Ship command, MessageContext context) {
            received.add("ship", command, context);
        }

        void on(@Handles Shipped event, MessageContext context) {
            received.add("shipped", event, context);
        }
    }

    @Test
    void commandsAndEventsRoundTrip() {
        Map<String, String> config = AwsTestConfig.emulator(LOCALSTACK.getEndpoint());
        config.put("sourceflow.aws.region", LOCALSTACK.getRegion());
        config.put("sourceflow.service-name", "shipping-" + AwsTestConfig.unique());
        config.put("sourceflow.routes.commands.Ship", "ship-" + AwsTestConfig.unique() + ".fifo");
        config.put("sourceflow.routes.events.Shipped", "shipped-" + AwsTestConfig.unique());
        try (CdiContainer service = CdiContainer.start(config, Handlers.class, Received.class)) {
            service.select(CommandBus.class).send(new Ship("o-1"));
            service.select(EventPublisher.class).raise(new Shipped("o-1"));
            assertThat(service.select(Received.class).awaitCount(2, Duration.ofSeconds(60)).stream().map(Received.Entry::message))
                    .containsExactlyInAnyOrder(new Ship("o-1"), new Shipped("o-1"));
        }
    }
}
