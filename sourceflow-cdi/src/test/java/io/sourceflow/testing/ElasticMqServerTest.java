package io.sourceflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(ElasticMqExtension.class)
class ElasticMqServerTest {

    @Test
    void sendsAndReceivesBatches(ElasticMqServer elasticMq) {
        AwsRequestCounter counter = new AwsRequestCounter();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs(counter)) {
            String name = "harness-" + UUID.randomUUID();
            String url = sqs.createQueue(b -> b.queueName(name)).queueUrl();
            assertThat(url).startsWith(elasticMq.endpoint().toString());

            sqs.sendMessageBatch(b -> b.queueUrl(url).entries(
                    e -> e.id("1").messageBody("one"), e -> e.id("2").messageBody("two")));
            var messages = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();

            assertThat(messages).extracting(Message::body).containsExactlyInAnyOrder("one", "two");
            assertThat(counter.count("SendMessageBatch")).isEqualTo(1);
            assertThat(counter.snapshot()).containsOnlyKeys("CreateQueue", "SendMessageBatch", "ReceiveMessage");

            String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            assertThat(arn).endsWith(":" + name).contains(":elasticmq:");
        }
    }
}
