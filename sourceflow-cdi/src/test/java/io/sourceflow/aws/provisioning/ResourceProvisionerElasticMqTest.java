package io.sourceflow.aws.provisioning;

import io.sourceflow.config.ProvisioningMode;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A queues-only plan needs nothing but SQS, so it works on ElasticMQ. */
@ExtendWith(ElasticMqExtension.class)
class ResourceProvisionerElasticMqTest {

    @Test
    void queuesOnlyPlanNeedsNoSnsOrSts(ElasticMqServer elasticMq) {
        AwsRequestCounter sqsCalls = new AwsRequestCounter();
        AwsRequestCounter snsAndStsCalls = new AwsRequestCounter();
        AwsClients clients = AwsClients.of(elasticMq);
        String id = UUID.randomUUID().toString().substring(0, 8);
        String orders = "orders-" + id;
        String payments = "payments-" + id + ".fifo";
        ProvisioningPlan plan = ProvisioningPlan.ofQueues(List.of(
                new QueueSpec(orders, Duration.ofSeconds(90), Duration.ofDays(1), 131_072, 2),
                QueueSpec.of(payments)));
        try (SqsClient sqs = clients.sqs(sqsCalls); SnsClient sns = clients.sns(snsAndStsCalls);
                StsClient sts = clients.sts(snsAndStsCalls)) {
            ResourceProvisioner provisioner = new ResourceProvisioner(sqs, sns, sts, Region.US_EAST_1);

            ProvisionedResources first = provisioner.apply(plan, ProvisioningMode.CREATE);
            var attributes = sqs.getQueueAttributes(b -> b.queueUrl(first.queueUrl(orders))
                    .attributeNames(QueueAttributeName.ALL)).attributes();
            assertThat(attributes).containsEntry(QueueAttributeName.VISIBILITY_TIMEOUT, "90");
            assertThat(PolicyJson.parseRedrive(attributes.get(QueueAttributeName.REDRIVE_POLICY)))
                    .map(PolicyJson.Redrive::maxReceiveCount).contains(2);
            assertThat(first.queueArn(payments)).contains(":elasticmq:"); // ElasticMQ's own region in ARNs
            assertThat(first.deadLetterQueueUrl(payments)).hasValueSatisfying(
                    url -> assertThat(url).endsWith("payments-" + id + "-dlq.fifo"));

            sqsCalls.reset();
            ProvisionedResources second = provisioner.apply(plan, ProvisioningMode.CREATE);
            ProvisionedResources verified = provisioner.apply(plan, ProvisioningMode.VERIFY);

            assertThat(second).isEqualTo(first);
            assertThat(verified).isEqualTo(first);
            assertThat(sqsCalls.snapshot()).containsOnlyKeys("GetQueueUrl", "GetQueueAttributes");
            assertThat(snsAndStsCalls.total()).isZero();
        }
    }

    /**
     * Issue 13, item 5: verify accepted a queue whose VisibilityTimeout was shorter than the configured one (the
     * heartbeat and lease are timed from the configured value); off resolves it and reports the real value.
     */
    @Test
    void verifyRefusesAQueueWithAShorterVisibilityTimeoutAndOffReportsTheRealOne(ElasticMqServer elasticMq) {
        String orders = "short-vis-" + UUID.randomUUID().toString().substring(0, 8);
        AwsClients clients = AwsClients.of(elasticMq);
        try (SqsClient sqs = clients.sqs(); SnsClient sns = clients.sns(); StsClient sts = clients.sts()) {
            ResourceProvisioner provisioner = new ResourceProvisioner(sqs, sns, sts, Region.US_EAST_1);
            provisioner.apply(ProvisioningPlan.ofQueues(List.of(
                    new QueueSpec(orders, Duration.ofSeconds(5), Duration.ofDays(1), 131_072, 2))), ProvisioningMode.CREATE);
            ProvisioningPlan expectsThirty = ProvisioningPlan.ofQueues(List.of(
                    new QueueSpec(orders, Duration.ofSeconds(30), Duration.ofDays(1), 131_072, 2)));

            assertThatThrownBy(() -> provisioner.apply(expectsThirty, ProvisioningMode.VERIFY))
                    .isInstanceOf(ProvisioningException.class)
                    .hasMessageContaining("queue '" + orders + "' has VisibilityTimeout 5 s")
                    .hasMessageContaining("sourceflow.aws.visibility-timeout (30 s)");
            assertThat(provisioner.apply(expectsThirty, ProvisioningMode.OFF).visibilityTimeout(orders))
                    .contains(Duration.ofSeconds(5));
        }
    }
}
