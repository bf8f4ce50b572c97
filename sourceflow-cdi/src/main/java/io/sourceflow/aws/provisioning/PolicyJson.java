package io.sourceflow.aws.provisioning;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds and compares the JSON documents of provisioning: SNS filter policies, SQS redrive
 * policies and SQS queue policies. Comparisons are semantic, because AWS and emulators give
 * documents back reformatted (spacing, a one-element list as a plain string, numbers as strings).
 */
final class PolicyJson {

    /** Sid of the one queue-policy statement SourceFlow owns; other statements are left alone. */
    static final String STATEMENT_ID = "sourceflow-sns";
    static final int MAX_STATEMENTS = 20;
    static final int MAX_POLICY_BYTES = 8192;
    private static final String SNS_SERVICE = "sns.amazonaws.com";
    private static final String SOURCE_ARN = "aws:SourceArn";

    private PolicyJson() {
    }

    /** Where a queue's failed messages go. */
    record Redrive(String deadLetterTargetArn, int maxReceiveCount) {
    }

    static String filterPolicy(SortedSet<String> types) {
        JsonArrayBuilder values = Json.createArrayBuilder();
        types.forEach(values::add);
        return Json.createObjectBuilder().add(SubscriptionSpec.TYPE_ATTRIBUTE, values).build().toString();
    }

    static boolean filterPolicyMatches(String existing, SortedSet<String> types) {
        Optional<JsonObject> policy = parse(existing);
        if (policy.isEmpty() || policy.get().size() != 1) {
            return false;
        }
        Set<String> values = strings(policy.get().get(SubscriptionSpec.TYPE_ATTRIBUTE));
        return values != null && values.equals(types);
    }

    static String redrivePolicy(String deadLetterTargetArn, int maxReceiveCount) {
        return Json.createObjectBuilder()
                .add("deadLetterTargetArn", deadLetterTargetArn)
                .add("maxReceiveCount", maxReceiveCount)
                .build().toString();
    }

    static Optional<Redrive> parseRedrive(String redrivePolicy) {
        Optional<JsonObject> policy = parse(redrivePolicy);
        if (policy.isEmpty()) {
            return Optional.empty();
        }
        JsonValue target = policy.get().get("deadLetterTargetArn");
        JsonValue count = policy.get().get("maxReceiveCount");
        if (!(target instanceof JsonString targetArn) || count == null) {
            return Optional.empty();
        }
        try {
            int max = count instanceof JsonNumber number ? number.intValueExact()
                    : Integer.parseInt(((JsonString) count).getString());
            return Optional.of(new Redrive(targetArn.getString(), max));
        } catch (ArithmeticException | NumberFormatException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /**
     * The queue policy to set so that exactly {@code topicArns} may send to the queue through
     * our statement, keeping every other statement; empty if the policy already says that.
     * An empty {@code topicArns} removes our statement. Returns {@code ""} to remove the policy
     * when no statement is left.
     *
     * @throws IllegalArgumentException if the existing policy is not JSON or the result would
     *     exceed the SQS limits (20 statements, 8 KiB)
     */
    static Optional<String> mergeQueuePolicy(String existing, String queueArn, SortedSet<String> topicArns) {
        JsonObject document;
        if (existing == null || existing.isBlank()) {
            document = JsonValue.EMPTY_JSON_OBJECT;
        } else {
            document = parse(existing).orElseThrow(() -> new IllegalArgumentException(
                    "its current policy is not a JSON object; fix or remove the policy"));
        }
        JsonValue statementValue = document.get("Statement");
        JsonArray statements = statementValue == null ? JsonValue.EMPTY_JSON_ARRAY
                : statementValue instanceof JsonArray array ? array
                : Json.createArrayBuilder().add(statementValue).build();
        JsonObject ours = null;
        JsonArrayBuilder merged = Json.createArrayBuilder();
        int count = 0;
        for (JsonValue statement : statements) {
            if (statement instanceof JsonObject object && object.get("Sid") instanceof JsonString sid
                    && STATEMENT_ID.equals(sid.getString())) {
                ours = object;
            } else {
                merged.add(statement);
                count++;
            }
        }
        if (topicArns.isEmpty() ? ours == null : ours != null && statementMatches(ours, queueArn, topicArns)) {
            return Optional.empty();
        }
        if (!topicArns.isEmpty()) {
            merged.add(statement(queueArn, topicArns));
            count++;
        }
        if (count == 0) {
            return Optional.of("");
        }
        if (count > MAX_STATEMENTS) {
            throw new IllegalArgumentException("the policy would have " + count + " statements; SQS allows "
                    + MAX_STATEMENTS + ". Remove foreign statements from the queue policy");
        }
        JsonObjectBuilder result = Json.createObjectBuilder(document);
        if (!document.containsKey("Version")) {
            result.add("Version", "2012-10-17");
        }
        String policy = result.add("Statement", merged).build().toString();
        int bytes = policy.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_POLICY_BYTES) {
            throw new IllegalArgumentException("the policy would be " + bytes + " bytes; SQS allows "
                    + MAX_POLICY_BYTES + ". Subscribe the queue to fewer topics or shorten foreign statements");
        }
        return Optional.of(policy);
    }

    /** The topic ARNs of {@code topicArns} that no Allow statement of the policy lets send to the queue. */
    static SortedSet<String> topicsNotAllowed(String policy, String queueArn, Collection<String> topicArns) {
        SortedSet<String> missing = new TreeSet<>(topicArns);
        Optional<JsonObject> document = parse(policy);
        if (document.isEmpty()) {
            return missing;
        }
        JsonValue statementValue = document.get().get("Statement");
        JsonArray statements = statementValue instanceof JsonArray array ? array
                : statementValue instanceof JsonObject object ? Json.createArrayBuilder().add(object).build()
                : JsonValue.EMPTY_JSON_ARRAY;
        for (JsonValue value : statements) {
            if (value instanceof JsonObject statement && allowsSnsSend(statement, queueArn)) {
                missing.removeIf(topic -> conditionAllows(statement.get("Condition"), topic));
            }
        }
        return missing;
    }

    private static JsonObject statement(String queueArn, SortedSet<String> topicArns) {
        JsonArrayBuilder sources = Json.createArrayBuilder();
        topicArns.forEach(sources::add);
        return Json.createObjectBuilder()
                .add("Sid", STATEMENT_ID)
                .add("Effect", "Allow")
                .add("Principal", Json.createObjectBuilder().add("Service", SNS_SERVICE))
                .add("Action", "sqs:SendMessage")
                .add("Resource", queueArn)
                .add("Condition", Json.createObjectBuilder()
                        .add("ArnEquals", Json.createObjectBuilder().add(SOURCE_ARN, sources)))
                .build();
    }

    private static boolean statementMatches(JsonObject statement, String queueArn, SortedSet<String> topicArns) {
        if (!statement.keySet().equals(Set.of("Sid", "Effect", "Principal", "Action", "Resource", "Condition"))
                || !"Allow".equals(string(statement.get("Effect")))
                || !Set.of("sqs:sendmessage").equals(lower(strings(statement.get("Action"))))
                || !Set.of(queueArn).equals(strings(statement.get("Resource")))
                || !(statement.get("Principal") instanceof JsonObject principal)
                || principal.size() != 1
                || !Set.of(SNS_SERVICE).equals(strings(principal.get("Service")))
                || !(statement.get("Condition") instanceof JsonObject condition)
                || condition.size() != 1
                || !(condition.get("ArnEquals") instanceof JsonObject arnEquals)
                || arnEquals.size() != 1) {
            return false;
        }
        Map.Entry<String, JsonValue> source = arnEquals.entrySet().iterator().next();
        return SOURCE_ARN.equalsIgnoreCase(source.getKey()) && topicArns.equals(strings(source.getValue()));
    }

    private static boolean allowsSnsSend(JsonObject statement, String queueArn) {
        if (!"Allow".equals(string(statement.get("Effect")))) {
            return false;
        }
        JsonValue principal = statement.get("Principal");
        boolean snsPrincipal = "*".equals(string(principal))
                || principal instanceof JsonObject object
                && (contains(strings(object.get("Service")), SNS_SERVICE) || contains(strings(object.get("AWS")), "*"));
        Set<String> actions = lower(strings(statement.get("Action")));
        boolean sends = actions != null
                && (actions.contains("sqs:sendmessage") || actions.contains("sqs:*") || actions.contains("*"));
        Set<String> resources = strings(statement.get("Resource"));
        boolean onQueue = resources != null && resources.stream().anyMatch(r -> glob(r, queueArn));
        return snsPrincipal && sends && onQueue;
    }

    private static boolean conditionAllows(JsonValue conditionValue, String topicArn) {
        if (conditionValue == null) {
            return true;
        }
        if (!(conditionValue instanceof JsonObject condition)) {
            return false;
        }
        for (Map.Entry<String, JsonValue> operator : condition.entrySet()) {
            boolean like = operator.getKey().equalsIgnoreCase("ArnLike") || operator.getKey().equalsIgnoreCase("StringLike");
            boolean equals = operator.getKey().equalsIgnoreCase("ArnEquals")
                    || operator.getKey().equalsIgnoreCase("StringEquals");
            if (!(operator.getValue() instanceof JsonObject keys) || !(like || equals)) {
                return false; // a condition we do not understand: do not claim it allows the topic
            }
            for (Map.Entry<String, JsonValue> key : keys.entrySet()) {
                Set<String> values = strings(key.getValue());
                if (!key.getKey().equalsIgnoreCase(SOURCE_ARN) || values == null
                        || values.stream().noneMatch(v -> like ? glob(v, topicArn) : v.equals(topicArn))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean glob(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return value.matches(regex.toString());
    }

    private static Optional<JsonObject> parse(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        try (var reader = Json.createReader(new StringReader(json))) {
            JsonValue value = reader.readValue();
            return value instanceof JsonObject object ? Optional.of(object) : Optional.empty();
        } catch (JsonException e) {
            return Optional.empty();
        }
    }

    private static String string(JsonValue value) {
        return value instanceof JsonString s ? s.getString() : null;
    }

    /** A string or an array of strings as a set; null for anything else. */
    private static Set<String> strings(JsonValue value) {
        if (value instanceof JsonString s) {
            return Set.of(s.getString());
        }
        if (!(value instanceof JsonArray array)) {
            return null;
        }
        Set<String> result = new LinkedHashSet<>();
        for (JsonValue item : array) {
            if (!(item instanceof JsonString s)) {
                return null;
            }
            result.add(s.getString());
        }
        return result;
    }

    private static Set<String> lower(Set<String> values) {
        if (values == null) {
            return null;
        }
        Set<String> result = new LinkedHashSet<>();
        values.forEach(v -> result.add(v.toLowerCase(Locale.ROOT)));
        return result;
    }

    private static boolean contains(Set<String> values, String value) {
        return values != null && values.contains(value);
    }
}
