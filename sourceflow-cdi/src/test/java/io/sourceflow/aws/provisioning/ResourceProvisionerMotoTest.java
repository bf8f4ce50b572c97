package io.sourceflow.aws.provisioning;

import io.sourceflow.config.ProvisioningMode;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(MotoExtension.class)
class ResourceProvisionerMotoTest {

    private final AwsRequestCounter counter = new AwsRequestCounter();
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private SqsClient sqs;
    private SnsClient sns;
    private StsClient sts;
    private ResourceProvisioner provisioner;

    @BeforeEach
    void clients(MotoServer moto) {
        AwsClients clients = AwsClients.of(moto);
        sqs = clients.sqs(counter);
        sns = clients.sns(counter);
        sts = clients.sts(counter);
        provisioner = new ResourceProvisioner(sqs, sns, sts, moto.region());
    }

    @AfterEach
    void close() {
        sqs.close();
        sns.close();
        sts.close();
    }

    private String name(String base) {
        return base + "-" + id;
    }

    @Test
    void createsStandardAndFifoQueuesWithDeadLetterQueues() {
        String orders = name("orders");
        String payments = name("payments") + ".fifo";
        ProvisioningPlan plan = ProvisioningPlan.ofQueues(List.of(
                new QueueSpec(orders, Duration.ofSeconds(60), Duration.ofDays(2), 65_536, 3),
                QueueSpec.of(payments)));

        ProvisionedResources resources = provisioner.apply(plan, ProvisioningMode.CREATE);

        Map<String, String> standard = attributes(resources.queueUrl(orders));
        assertThat(standard).containsEntry("VisibilityTimeout", "60")
                .containsEntry("MessageRetentionPeriod", Long.toString(Duration.ofDays(2).toSeconds()))
                .containsEntry("MaximumMessageSize", "65536")
                .doesNotContainKey("FifoQueue");
        String ordersDlq = resources.deadLetterQueueUrl(orders).orElseThrow();
        assertThat(ordersDlq).endsWith("/" + orders + "-dlq");
        Map<String, String> ordersDlqAttributes = attributes(ordersDlq);
        assertThat(ordersDlqAttributes).containsEntry("MessageRetentionPeriod", "1209600");
        assertThat(PolicyJson.parseRedrive(standard.get("RedrivePolicy")))
                .contains(new PolicyJson.Redrive(ordersDlqAttributes.get("QueueArn"), 3));

        Map<String, String> fifo = attributes(resources.queueUrl(payments));
        assertThat(fifo).containsEntry("FifoQueue", "true").containsEntry("ContentBasedDeduplication", "false")
                .containsEntry("VisibilityTimeout", "30");
        String paymentsDlq = resources.deadLetterQueueUrl(payments).orElseThrow();
        assertThat(paymentsDlq).endsWith("/" + name("payments") + "-dlq.fifo");
        Map<String, String> paymentsDlqAttributes = attributes(paymentsDlq);
        assertThat(paymentsDlqAttributes).containsEntry("FifoQueue", "true")
                .containsEntry("MessageRetentionPeriod", "1209600");
        assertThat(PolicyJson.parseRedrive(fifo.get("RedrivePolicy")))
                .contains(new PolicyJson.Redrive(paymentsDlqAttributes.get("QueueArn"), 5));
        assertThat(resources.queueArn(payments)).isEqualTo(fifo.get("QueueArn"));
    }

    @Test
    void createsStandardAndFifoTopics() {
        String events = name("events");
        String ordered = name("ordered") + ".fifo";
        ProvisioningPlan plan = new ProvisioningPlan(List.of(),
                List.of(new TopicSpec(events), new TopicSpec(ordered)), List.of());

        ProvisionedResources resources = provisioner.apply(plan, ProvisioningMode.CREATE);
        assertThat(counter.count("GetCallerIdentity")).isEqualTo(1);
        assertThat(counter.count("CreateQueue")).isZero();

        String account = sts.getCallerIdentity().account();
        assertThat(resources.topicArn(events)).isEqualTo("arn:aws:sns:us-east-1:" + account + ":" + events);
        Map<String, String> fifo = sns.getTopicAttributes(b -> b.topicArn(resources.topicArn(ordered))).attributes();
        assertThat(fifo).containsEntry("FifoTopic", "true");
        assertThat(fifo.getOrDefault("ContentBasedDeduplication", "false")).isEqualTo("false");
        Map<String, String> standard = sns.getTopicAttributes(b -> b.topicArn(resources.topicArn(events))).attributes();
        assertThat(standard.getOrDefault("FifoTopic", "false")).isEqualTo("false");
    }

    @Test
    void subscriptionDeliversOnlyListedTypesRaw() {
        String topic = name("events");
        String queue = name("summary");
        ProvisioningPlan plan = new ProvisioningPlan(List.of(QueueSpec.of(queue)), List.of(new TopicSpec(topic)),
                List.of(SubscriptionSpec.of(topic, queue, "OrderPlaced", "OrderShipped")));
        ProvisionedResources resources = provisioner.apply(plan, ProvisioningMode.CREATE);

        Subscription subscription = onlySubscription(resources.topicArn(topic));
        assertThat(subscription.endpoint()).isEqualTo(resources.queueArn(queue));
        Map<String, String> attributes = sns.getSubscriptionAttributes(
                b -> b.subscriptionArn(subscription.subscriptionArn())).attributes();
        assertThat(attributes).containsEntry("RawMessageDelivery", "true");
        assertThat(json(attributes.get("FilterPolicy"))).isEqualTo(
                json("{\"sourceflow.type\":[\"OrderPlaced\",\"OrderShipped\"]}"));

        String topicArn = resources.topicArn(topic);
        publish(topicArn, "{\"unlisted\":true}", "OrderCancelled", null);
        publish(topicArn, "{\"order\":1}", "OrderPlaced", null);
        publish(topicArn, "marker", "OrderShipped", null);

        assertThat(receiveUntil(resources.queueUrl(queue), "marker"))
                .containsExactly("{\"order\":1}", "marker");
    }

    @Test
    void fifoSubscriptionDeliversInOrderToFifoQueue() {
        String topic = name("ledger") + ".fifo";
        String queue = name("ledger-view") + ".fifo";
        ProvisioningPlan plan = new ProvisioningPlan(List.of(QueueSpec.of(queue)), List.of(new TopicSpec(topic)),
                List.of(SubscriptionSpec.of(topic, queue, "Debited")));
        ProvisionedResources resources = provisioner.apply(plan, ProvisioningMode.CREATE);

        publish(resources.topicArn(topic), "skipped", "Credited", "account-1");
        publish(resources.topicArn(topic), "first", "Debited", "account-1");
        publish(resources.topicArn(topic), "marker", "Debited", "account-1");

        assertThat(receiveUntil(resources.queueUrl(queue), "marker")).containsExactly("first", "marker");
    }

    @Test
    void queuePolicyHasOneStatementWithExactlyTheTopicsAndKeepsForeignStatements() {
        String queue = name("inbox");
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String queueArn = attributes(url).get("QueueArn");
        String foreign = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"ops-access\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"sqs:ReceiveMessage\","
                + "\"Resource\":\"" + queueArn + "\"}]}";
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.POLICY, foreign)));
        String a = name("topic-a");
        String b = name("topic-b");
        ProvisioningPlan both = new ProvisioningPlan(List.of(QueueSpec.of(queue)),
                List.of(new TopicSpec(a), new TopicSpec(b)),
                List.of(SubscriptionSpec.of(a, queue, "A"), SubscriptionSpec.of(b, queue, "B")));

        ProvisionedResources resources = provisioner.apply(both, ProvisioningMode.CREATE);

        JsonArray statements = statements(url);
        assertThat(statements).hasSize(2);
        assertThat(sids(statements)).containsExactly("ops-access", PolicyJson.STATEMENT_ID);
        assertThat(sourceArns(statements.getJsonObject(1)))
                .containsExactlyInAnyOrder(resources.topicArn(a), resources.topicArn(b));
        assertThat(statements.getJsonObject(1).getJsonObject("Principal").getString("Service"))
                .isEqualTo("sns.amazonaws.com");
        assertThat(statements.getJsonObject(1).getString("Resource")).isEqualTo(queueArn);

        // Dropping a subscription from the plan narrows the statement to the remaining topic.
        ProvisioningPlan onlyA = new ProvisioningPlan(List.of(QueueSpec.of(queue)),
                List.of(new TopicSpec(a), new TopicSpec(b)), List.of(SubscriptionSpec.of(a, queue, "A")));
        provisioner.apply(onlyA, ProvisioningMode.CREATE);
        JsonArray narrowed = statements(url);
        assertThat(sids(narrowed)).containsExactly("ops-access", PolicyJson.STATEMENT_ID);
        assertThat(sourceArns(narrowed.getJsonObject(1))).containsExactly(resources.topicArn(a));
    }

    @Test
    void secondCreateChangesNothing() {
        ProvisioningPlan plan = fullPlan();
        ProvisionedResources first = provisioner.apply(plan, ProvisioningMode.CREATE);
        assertThat(counter.count("CreateQueue")).isEqualTo(4);
        assertThat(counter.count("CreateTopic")).isEqualTo(2);
        assertThat(counter.count("Subscribe")).isEqualTo(2);
        counter.reset();

        ProvisionedResources second = provisioner.apply(plan, ProvisioningMode.CREATE);

        assertThat(second).isEqualTo(first);
        assertThat(counter.snapshot().keySet())
                .allSatisfy(operation -> assertThat(operation).doesNotStartWith("Create").doesNotStartWith("Set")
                        .isNotEqualTo("Subscribe"));
        assertThat(counter.count("GetCallerIdentity")).as("account id is cached per provisioner").isZero();
    }

    @Test
    void createCorrectsDriftedAttributes() {
        ProvisioningPlan plan = fullPlan();
        ProvisionedResources resources = provisioner.apply(plan, ProvisioningMode.CREATE);
        String queue = plan.queues().get(0).name();
        String url = resources.queueUrl(queue);
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "5")));
        Subscription subscription = onlySubscription(resources.topicArn(plan.topics().get(0).name()));
        sns.setSubscriptionAttributes(b -> b.subscriptionArn(subscription.subscriptionArn())
                .attributeName("FilterPolicy").attributeValue("{\"sourceflow.type\":[\"Other\"]}"));
        counter.reset();

        provisioner.apply(plan, ProvisioningMode.CREATE);

        // The visibility timeout, plus the queue policy, which moto drops on any SetQueueAttributes
        // without it (the test's own drift call); AWS keeps it, so there it is one call.
        assertThat(counter.count("SetQueueAttributes")).isBetween(1L, 2L);
        assertThat(counter.count("SetSubscriptionAttributes")).isEqualTo(1);
        assertThat(counter.count("Subscribe")).isZero();
        assertThat(counter.count("CreateQueue")).isZero();
        assertThat(attributes(url)).containsEntry("VisibilityTimeout", "45");
        provisioner.apply(plan, ProvisioningMode.VERIFY);
    }

    @Test
    void verifyListsEveryMissingResourceAndCreatesNothing() {
        ProvisioningPlan plan = fullPlan();

        assertThatThrownBy(() -> provisioner.apply(plan, ProvisioningMode.VERIFY))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.getMessage()).contains("mode verify");
                    assertThat(e.problems()).hasSize(8);
                    for (String resource : List.of(name("cmds"), name("cmds") + "-dlq", name("view") + ".fifo",
                            name("view") + "-dlq.fifo", name("events"), name("ledger") + ".fifo")) {
                        assertThat(e.getMessage()).contains("'" + resource + "'");
                    }
                    assertThat(e.problems()).filteredOn(p -> p.startsWith("subscription")).hasSize(2);
                });
        assertThat(counter.snapshot().keySet()).allSatisfy(operation ->
                assertThat(operation).doesNotStartWith("Create").doesNotStartWith("Set").isNotEqualTo("Subscribe"));
    }

    @Test
    void verifyReportsMisconfiguration() {
        ProvisioningPlan plan = fullPlan();
        ProvisionedResources resources = provisioner.apply(plan, ProvisioningMode.CREATE);
        String queue = plan.queues().get(1).name();
        String url = resources.queueUrl(queue);
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.POLICY, "")));
        Subscription subscription = onlySubscription(resources.topicArn(plan.topics().get(1).name()));
        sns.setSubscriptionAttributes(b -> b.subscriptionArn(subscription.subscriptionArn())
                .attributeName("RawMessageDelivery").attributeValue("false"));

        assertThatThrownBy(() -> provisioner.apply(plan, ProvisioningMode.VERIFY))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> assertThat(e.problems()).satisfiesExactly(
                        p -> assertThat(p).contains("subscription of queue '" + queue + "'")
                                .contains("RawMessageDelivery false; expected true"),
                        p -> assertThat(p).contains("policy of queue '" + queue + "'")
                                .contains(resources.topicArn(plan.topics().get(1).name()))));
    }

    @Test
    void verifyAfterCreatePassesAndReturnsTheSameResources() {
        ProvisioningPlan plan = fullPlan();
        ProvisionedResources created = provisioner.apply(plan, ProvisioningMode.CREATE);
        counter.reset();

        ProvisionedResources verified = provisioner.apply(plan, ProvisioningMode.VERIFY);

        assertThat(verified).isEqualTo(created);
        assertThat(counter.snapshot().keySet()).allSatisfy(operation ->
                assertThat(operation).doesNotStartWith("Create").doesNotStartWith("Set").isNotEqualTo("Subscribe"));
    }

    @Test
    void offOnlyResolvesAndToleratesAMissingDeadLetterQueue() {
        String queue = name("plain");
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        String topic = name("events");
        counter.reset();

        ProvisionedResources resources = provisioner.apply(new ProvisioningPlan(List.of(QueueSpec.of(queue)),
                List.of(new TopicSpec(topic)), List.of()), ProvisioningMode.OFF);

        assertThat(resources.queueUrl(queue)).isEqualTo(url);
        assertThat(resources.deadLetterQueueUrls()).isEmpty();
        assertThat(resources.topicArn(topic)).endsWith(":" + topic);
        assertThat(counter.snapshot()).containsOnlyKeys("GetQueueUrl", "GetQueueAttributes", "GetCallerIdentity");
    }

    @Test
    void mismatchedFifoSubscriptionIsRejectedBeforeAnyCall() {
        String fifoQueue = name("q") + ".fifo";
        String standardTopic = name("t");
        assertThatThrownBy(() -> new ProvisioningPlan(List.of(QueueSpec.of(fifoQueue)),
                List.of(new TopicSpec(standardTopic)), List.of(SubscriptionSpec.of(standardTopic, fifoQueue, "A"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FIFO queue '" + fifoQueue + "'")
                .hasMessageContaining("standard topic '" + standardTopic + "'");
        String standardQueue = name("q");
        String fifoTopic = name("t") + ".fifo";
        assertThatThrownBy(() -> new ProvisioningPlan(List.of(QueueSpec.of(standardQueue)),
                List.of(new TopicSpec(fifoTopic)), List.of(SubscriptionSpec.of(fifoTopic, standardQueue, "A"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("standard queue '" + standardQueue + "'")
                .hasMessageContaining("FIFO topic '" + fifoTopic + "'");
        assertThat(counter.total()).isZero();
    }

    @Test
    void queueGivenAsUrlIsUsedAsIsAndNeverCreated() {
        String dlq = sqs.createQueue(b -> b.queueName(name("foreign-dlq"))).queueUrl();
        String dlqArn = attributes(dlq).get("QueueArn");
        String url = sqs.createQueue(b -> b.queueName(name("foreign")).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, PolicyJson.redrivePolicy(dlqArn, 7)))).queueUrl();
        counter.reset();

        ProvisionedResources resources = provisioner.apply(ProvisioningPlan.ofQueues(List.of(QueueSpec.of(url))),
                ProvisioningMode.CREATE);

        assertThat(resources.queueUrl(url)).isSameAs(url);
        assertThat(resources.queueArn(url)).endsWith(":" + name("foreign"));
        assertThat(resources.deadLetterQueueUrl(url)).contains(dlq);
        assertThat(counter.count("CreateQueue")).isZero();
        assertThat(counter.count("SetQueueAttributes")).isZero();

        String missing = url.replace(name("foreign"), name("absent"));
        assertThatThrownBy(() -> provisioner.apply(ProvisioningPlan.ofQueues(List.of(QueueSpec.of(missing))),
                ProvisioningMode.CREATE))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains(missing).contains("never created"));
    }

    @Test
    void topicGivenAsArnIsNotCreated() {
        String account = sts.getCallerIdentity().account();
        String arn = "arn:aws:sns:us-east-1:" + account + ":" + name("elsewhere");
        assertThatThrownBy(() -> provisioner.apply(new ProvisioningPlan(List.of(), List.of(new TopicSpec(arn)),
                List.of()), ProvisioningMode.CREATE))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains(arn).contains("never created"));
        assertThat(counter.count("CreateTopic")).isZero();
    }

    /** Two queues (standard and FIFO), two topics, one subscription each. */
    private ProvisioningPlan fullPlan() {
        String cmds = name("cmds");
        String view = name("view") + ".fifo";
        String events = name("events");
        String ledger = name("ledger") + ".fifo";
        return new ProvisioningPlan(
                List.of(new QueueSpec(cmds, Duration.ofSeconds(45), Duration.ofDays(4), 262_144, 4),
                        QueueSpec.of(view)),
                List.of(new TopicSpec(events), new TopicSpec(ledger)),
                List.of(SubscriptionSpec.of(events, cmds, "OrderPlaced"),
                        SubscriptionSpec.of(ledger, view, "Debited", "Credited")));
    }

    private Map<String, String> attributes(String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("All")).attributesAsStrings();
    }

    private Subscription onlySubscription(String topicArn) {
        List<Subscription> subscriptions = sns.listSubscriptionsByTopic(b -> b.topicArn(topicArn)).subscriptions();
        assertThat(subscriptions).hasSize(1);
        return subscriptions.get(0);
    }

    private void publish(String topicArn, String body, String type, String group) {
        sns.publish(b -> {
            b.topicArn(topicArn).message(body).messageAttributes(Map.of(SubscriptionSpec.TYPE_ATTRIBUTE,
                    MessageAttributeValue.builder().dataType("String").stringValue(type).build()));
            if (group != null) {
                b.messageGroupId(group).messageDeduplicationId(UUID.randomUUID().toString());
            }
        });
    }

    /** Receives (bounded, ~10 s) until a message with body {@code last} arrives; returns all bodies. */
    private List<String> receiveUntil(String url, String last) {
        List<String> bodies = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!bodies.contains(last) && System.nanoTime() < deadline) {
            for (Message message : sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages()) {
                bodies.add(message.body());
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
            }
        }
        return bodies;
    }

    private JsonArray statements(String url) {
        return json(attributes(url).get("Policy")).getJsonArray("Statement");
    }

    private static List<String> sids(JsonArray statements) {
        return statements.getValuesAs(JsonObject.class).stream().map(s -> s.getString("Sid")).toList();
    }

    private static List<String> sourceArns(JsonObject statement) {
        JsonValue value = statement.getJsonObject("Condition").getJsonObject("ArnEquals").get("aws:SourceArn");
        return value instanceof JsonString s ? List.of(s.getString())
                : value.asJsonArray().getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    private static JsonObject json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
