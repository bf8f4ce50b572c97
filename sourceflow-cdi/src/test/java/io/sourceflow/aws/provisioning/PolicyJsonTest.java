package io.sourceflow.aws.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PolicyJsonTest {

    private static final String QUEUE = "arn:aws:sqs:us-east-1:123456789012:q";
    private static final String T1 = "arn:aws:sns:us-east-1:123456789012:t1";
    private static final String T2 = "arn:aws:sns:us-east-1:123456789012:t2";

    @Test
    void filterPolicyComparesSemantically() {
        TreeSet<String> types = new TreeSet<>(Set.of("B", "A"));
        assertThat(PolicyJson.filterPolicy(types)).isEqualTo("{\"sourceflow.type\":[\"A\",\"B\"]}");
        assertThat(PolicyJson.filterPolicyMatches("{ \"sourceflow.type\" : [\"B\", \"A\"] }", types)).isTrue();
        assertThat(PolicyJson.filterPolicyMatches("{\"sourceflow.type\":[\"A\"]}", types)).isFalse();
        assertThat(PolicyJson.filterPolicyMatches("not json", types)).isFalse();
        assertThat(PolicyJson.filterPolicyMatches(null, types)).isFalse();
    }

    @Test
    void redriveAcceptsCountAsStringOrNumber() {
        assertThat(PolicyJson.parseRedrive("{\"deadLetterTargetArn\":\"arn:x\",\"maxReceiveCount\":\"3\"}"))
                .contains(new PolicyJson.Redrive("arn:x", 3));
        assertThat(PolicyJson.parseRedrive(PolicyJson.redrivePolicy("arn:x", 3)))
                .contains(new PolicyJson.Redrive("arn:x", 3));
    }

    @Test
    void mergeIsIdempotentAndKeepsForeignStatements() {
        String foreign = "{\"Version\":\"2012-10-17\",\"Id\":\"mine\",\"Statement\":{\"Sid\":\"ops\",\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"sqs:ReceiveMessage\",\"Resource\":\"" + QUEUE + "\"}}";
        String merged = PolicyJson.mergeQueuePolicy(foreign, QUEUE, new TreeSet<>(Set.of(T2, T1))).orElseThrow();

        assertThat(merged).contains("\"Id\":\"mine\"").contains("\"Sid\":\"ops\"").contains("sourceflow-sns");
        assertThat(PolicyJson.mergeQueuePolicy(merged, QUEUE, new TreeSet<>(Set.of(T1, T2)))).isEmpty();
        assertThat(PolicyJson.topicsNotAllowed(merged, QUEUE, Set.of(T1, T2))).isEmpty();
        assertThat(PolicyJson.topicsNotAllowed(foreign, QUEUE, Set.of(T1))).containsExactly(T1);

        String onlyForeign = PolicyJson.mergeQueuePolicy(merged, QUEUE, new TreeSet<>()).orElseThrow();
        assertThat(onlyForeign).doesNotContain("sourceflow-sns").contains("\"Sid\":\"ops\"");
        assertThat(PolicyJson.mergeQueuePolicy(PolicyJson.mergeQueuePolicy("", QUEUE, new TreeSet<>(Set.of(T1)))
                .orElseThrow(), QUEUE, new TreeSet<>())).contains("");
    }

    @Test
    void mergeEnforcesSqsPolicyLimits() {
        StringBuilder statements = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            statements.append(i == 0 ? "" : ",").append("{\"Sid\":\"s").append(i)
                    .append("\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}");
        }
        assertThatThrownBy(() -> PolicyJson.mergeQueuePolicy("{\"Statement\":[" + statements + "]}", QUEUE,
                new TreeSet<>(Set.of(T1)))).hasMessageContaining("21 statements");
        TreeSet<String> many = new TreeSet<>();
        for (int i = 0; i < 200; i++) {
            many.add(T1 + "-" + i);
        }
        assertThatThrownBy(() -> PolicyJson.mergeQueuePolicy("", QUEUE, many)).hasMessageContaining("bytes");
    }
}
