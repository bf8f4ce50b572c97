package io.sourceflow.aws.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ProvisioningPlanTest {

    @Test
    void queueSpecDerivesFifoAndDeadLetterNames() {
        assertThat(QueueSpec.of("orders").deadLetterQueueName()).isEqualTo("orders-dlq");
        assertThat(QueueSpec.of("orders.fifo").deadLetterQueueName()).isEqualTo("orders-dlq.fifo");
        assertThat(QueueSpec.of("orders.fifo").isFifo()).isTrue();
        QueueSpec byUrl = QueueSpec.of("https://sqs.eu-west-1.amazonaws.com/123456789012/shared.fifo");
        assertThat(byUrl.isUrl()).isTrue();
        assertThat(byUrl.isFifo()).isTrue();
    }

    @Test
    void queueSpecRejectsInvalidValuesNamingTheField() {
        assertThatThrownBy(() -> QueueSpec.of("bad name")).hasMessageContaining("QueueSpec.name");
        assertThatThrownBy(() -> QueueSpec.of("x".repeat(77))).hasMessageContaining("QueueSpec.name");
        assertThatThrownBy(() -> new QueueSpec("q", Duration.ofHours(13), Duration.ofDays(1), 2048, 3))
                .hasMessageContaining("QueueSpec.visibilityTimeout");
        assertThatThrownBy(() -> new QueueSpec("q", Duration.ofMillis(1500), Duration.ofDays(1), 2048, 3))
                .hasMessageContaining("QueueSpec.visibilityTimeout");
        assertThatThrownBy(() -> new QueueSpec("q", Duration.ofSeconds(30), Duration.ofDays(15), 2048, 3))
                .hasMessageContaining("QueueSpec.retention");
        assertThatThrownBy(() -> new QueueSpec("q", Duration.ofSeconds(30), Duration.ofDays(1), 100, 3))
                .hasMessageContaining("QueueSpec.maximumMessageSize");
        assertThatThrownBy(() -> new QueueSpec("q", Duration.ofSeconds(30), Duration.ofDays(1), 2048, 0))
                .hasMessageContaining("QueueSpec.maxReceiveCount");
    }

    @Test
    void topicAndSubscriptionSpecsValidate() {
        assertThat(new TopicSpec("events.fifo").isFifo()).isTrue();
        assertThat(new TopicSpec("arn:aws:sns:us-east-1:123456789012:events").isArn()).isTrue();
        assertThatThrownBy(() -> new TopicSpec("arn:aws:sns:nonsense")).hasMessageContaining("TopicSpec.name");
        assertThatThrownBy(() -> new SubscriptionSpec("t", "q", new TreeSet<>()))
                .hasMessageContaining("SubscriptionSpec.types");
        TreeSet<String> types = new TreeSet<>(List.of("B", "A"));
        SubscriptionSpec spec = new SubscriptionSpec("t", "q", types);
        types.add("C");
        assertThat(spec.types()).containsExactly("A", "B");
        assertThatThrownBy(() -> spec.types().add("D")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void planRejectsUnknownNamesAndDuplicates() {
        assertThatThrownBy(() -> new ProvisioningPlan(List.of(QueueSpec.of("q"), QueueSpec.of("q")),
                List.of(new TopicSpec("t")),
                List.of(SubscriptionSpec.of("t", "other", "A"), SubscriptionSpec.of("missing", "q", "A"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue 'q' is listed twice")
                .hasMessageContaining("names a queue that is not in the plan's queues")
                .hasMessageContaining("topic 'missing'");
        assertThatThrownBy(() -> ProvisioningPlan.ofQueues(List.of(QueueSpec.of("a"), QueueSpec.of("a-dlq"))))
                .hasMessageContaining("'a-dlq' is also the dead-letter queue");
    }
}
