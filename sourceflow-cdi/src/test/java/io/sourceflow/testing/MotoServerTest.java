package io.sourceflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sts.StsClient;

@ExtendWith(MotoExtension.class)
class MotoServerTest {

    @Test
    void sendsAndReceivesThroughSqsAndCountsRequests(MotoServer moto) {
        AwsRequestCounter counter = new AwsRequestCounter();
        try (SqsClient sqs = AwsClients.of(moto).sqs(counter)) {
            String url = sqs.createQueue(b -> b.queueName("harness-" + UUID.randomUUID())).queueUrl();
            assertThat(url).startsWith(moto.endpoint().toString());

            sqs.sendMessage(b -> b.queueUrl(url).messageBody("hello"));
            var messages = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages();

            assertThat(messages).extracting(Message::body).containsExactly("hello");
            assertThat(counter.count("CreateQueue")).isEqualTo(1);
            assertThat(counter.count("SendMessage")).isEqualTo(1);
            assertThat(counter.count("ReceiveMessage")).isEqualTo(1);
            assertThat(counter.total()).isEqualTo(3);

            counter.reset();
            assertThat(counter.total()).isZero();
        }
    }

    @Test
    void emulatesSnsAndSts(MotoServer moto) {
        try (SnsClient sns = AwsClients.of(moto).sns(); StsClient sts = AwsClients.of(moto).sts()) {
            String arn = sns.createTopic(b -> b.name("harness-" + UUID.randomUUID())).topicArn();
            String account = sts.getCallerIdentity().account();
            assertThat(arn).startsWith("arn:aws:sns:us-east-1:" + account + ":harness-");
        }
    }

    @Test
    void privateServerResetsAndRestartsOnTheSamePort() throws Exception {
        try (MotoServer own = MotoServer.start(); SqsClient sqs = AwsClients.of(own).sqs()) {
            sqs.createQueue(b -> b.queueName("before-reset"));
            own.reset();
            assertThatThrownBy(() -> sqs.getQueueUrl(b -> b.queueName("before-reset")))
                    .isInstanceOf(QueueDoesNotExistException.class);

            sqs.createQueue(b -> b.queueName("before-restart"));
            var endpoint = own.endpoint();
            own.restart();
            assertThat(own.endpoint()).isEqualTo(endpoint);
            assertThat(own.isRunning()).isTrue();
            assertThatThrownBy(() -> sqs.getQueueUrl(b -> b.queueName("before-restart")))
                    .isInstanceOf(QueueDoesNotExistException.class);

            own.stop();
            assertThat(own.isRunning()).isFalse();
        }
    }
}
