package io.sourceflow.wire;

import io.sourceflow.wire.UndecodableMessageException.Reason;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Removes the standard SNS JSON envelope from an SQS message body, so that a queue subscribed to
 * a topic works with and without SNS raw message delivery.
 *
 * <p>An SQS body is an SNS envelope when it is a JSON object whose top level has no
 * {@code specversion} (a CloudEvent always has one), a string {@code TopicArn} and a string
 * {@code Type}. A {@code Notification} with a string {@code Message} is unwrapped; any other SNS
 * message ({@code SubscriptionConfirmation}, {@code UnsubscribeConfirmation}) is rejected. Every
 * other body is passed through unchanged (raw delivery). Fields of the CloudEvent's {@code data}
 * never count, however they are named.
 *
 * <p>Thread-safe; construct one and share it.
 */
public final class SnsEnvelope {

    // SNS writes these member names literally, so a body that does not contain the quoted name
    // cannot be an SNS envelope and needs no parse. (Inside the Message string of an envelope
    // the quotes are escaped, so nested envelopes do not match.)
    private static final String TOPIC_ARN_MEMBER = "\"TopicArn\"";
    private static final Pattern SNS_TYPE_NAME = Pattern.compile("[A-Za-z]{1,40}");

    private final StrictJson strictJson;

    /** Creates an unwrapper. */
    public SnsEnvelope() {
        this.strictJson = new StrictJson();
    }

    /**
     * The body to decode, and what the SNS envelope carried around it.
     *
     * @param body                  the message body: the envelope's {@code Message}, or the SQS
     *                              body unchanged
     * @param snsMessageAttributes  the envelope's {@code MessageAttributes} as name to
     *                              {@code Value} (Binary attributes left out); empty when the body
     *                              was not enveloped; unmodifiable
     * @param wasEnveloped          whether an SNS envelope was removed
     */
    public record Unwrapped(String body, Map<String, String> snsMessageAttributes, boolean wasEnveloped) {

        /** Validates and copies the attributes. */
        public Unwrapped {
            Objects.requireNonNull(body, "body");
            snsMessageAttributes = Map.copyOf(Objects.requireNonNull(snsMessageAttributes, "snsMessageAttributes"));
        }
    }

    /**
     * Unwraps an SQS message body.
     *
     * @param sqsBody the SQS message body
     * @return the body to decode
     * @throws UndecodableMessageException with {@link Reason#NOT_AN_SNS_NOTIFICATION} if the body
     *                                     is an SNS envelope of another kind than a notification,
     *                                     or a notification without a string {@code Message}
     */
    public Unwrapped unwrap(String sqsBody) throws UndecodableMessageException {
        Objects.requireNonNull(sqsBody, "sqsBody");
        if (!sqsBody.contains(TOPIC_ARN_MEMBER)) {
            return raw(sqsBody);
        }
        JsonObject json = parseObjectOrNull(sqsBody);
        if (json == null
                || json.containsKey("specversion")
                || !(json.get("TopicArn") instanceof JsonString)
                || !(json.get("Type") instanceof JsonString type)) {
            return raw(sqsBody);
        }
        if (!"Notification".equals(type.getString())) {
            String name = type.getString();
            throw new UndecodableMessageException(Reason.NOT_AN_SNS_NOTIFICATION, "SNS message of Type "
                    + (SNS_TYPE_NAME.matcher(name).matches() ? name : "(unrecognized)")
                    + " is not a Notification; confirm or remove the subscription instead of sending it to this queue");
        }
        if (!(json.get("Message") instanceof JsonString message)) {
            throw new UndecodableMessageException(Reason.NOT_AN_SNS_NOTIFICATION,
                    "SNS Notification has no string Message");
        }
        return new Unwrapped(message.getString(), attributes(json.get("MessageAttributes")), true);
    }

    private static Unwrapped raw(String body) {
        return new Unwrapped(body, Map.of(), false);
    }

    private JsonObject parseObjectOrNull(String body) {
        try {
            return strictJson.parse(body) instanceof JsonObject object ? object : null;
        } catch (JsonException e) {
            return null; // not JSON: left for the codec to reject with a precise reason
        }
    }

    private static Map<String, String> attributes(JsonValue value) {
        if (!(value instanceof JsonObject attributes)) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        attributes.forEach((name, attribute) -> {
            if (attribute instanceof JsonObject a
                    && a.get("Value") instanceof JsonString v
                    && !(a.get("Type") instanceof JsonString t && t.getString().equals("Binary"))) {
                result.put(name, v.getString());
            }
        });
        return result;
    }
}
