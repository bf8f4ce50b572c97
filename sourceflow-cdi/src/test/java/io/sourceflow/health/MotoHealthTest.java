package io.sourceflow.health;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.sourceflow.Event;
import io.sourceflow.Handles;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sns.SnsClient;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness over topics, event queues and the KMS key, on moto. */
@ExtendWith(MotoExtension.class)
class MotoHealthTest {

    public record Shipped(String orderId) implements Event {}

    @ApplicationScoped
    public static class ShippedHandler {
        void on(@Handles Shipped event) {
        }
    }

    @Test
    void readinessCoversTopicsEventQueuesAndTheKmsKeyAndNamesWhatFails(MotoServer moto) {
        String service = "health-" + AwsTestConfig.unique();
        String topic = "shipments-" + AwsTestConfig.unique();
        AwsClients aws = AwsClients.of(moto);
        try (KmsClient kms = KmsClient.builder().endpointOverride(moto.endpoint()).region(moto.region())
                .credentialsProvider(moto.credentials()).build();
             SnsClient sns = aws.sns()) {
            String keyId = kms.createKey(b -> b.description("health test")).keyMetadata().keyId();
            Map<String, String> config = AwsTestConfig.emulator(moto.endpoint());
            config.put("sourceflow.service-name", service);
            config.put("sourceflow.routes.events.Shipped", topic);
            config.put("sourceflow.aws.encryption.enabled", "true");
            config.put("sourceflow.aws.encryption.kms-key-id", keyId);
            config.put("sourceflow.health.cache-ttl", "0s");
            try (CdiContainer app = CdiContainer.start(config, HealthChecksTest.beans(ShippedHandler.class))) {
                SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
                SmallRyeHealth ready = reporter.getReadiness();
                String name = SourceFlowReadinessCheck.NAME;
                assertThat(Health.isUp(ready, name)).as(ready.getPayload().toString()).isTrue();
                assertThat(Health.data(ready, name, "topics")).isEqualTo(topic);
                assertThat(Health.data(ready, name, "queues")).isEqualTo(service + "-events");
                assertThat(Health.data(ready, name, "dead-letter-queues")).isEqualTo(service + "-events-dlq");
                assertThat(Health.data(ready, name, "kms-key")).isEqualTo(keyId);
                assertThat(ready.getPayload().toString()).doesNotContain("arn:").doesNotContain("123456789012");

                kms.disableKey(b -> b.keyId(keyId));
                String topicArn = sns.createTopic(b -> b.name(topic)).topicArn();
                sns.deleteTopic(b -> b.topicArn(topicArn));

                SmallRyeHealth down = reporter.getReadiness();
                assertThat(Health.isDown(down, name)).isTrue();
                assertThat(Health.data(down, name, "down"))
                        .contains("topic " + topic + ": does not exist")
                        .contains("kms-key " + keyId + ": the key is Disabled")
                        .doesNotContain("queue " + service);
            }
        }
    }
}
