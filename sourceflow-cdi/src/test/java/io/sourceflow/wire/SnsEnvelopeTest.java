package io.sourceflow.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sourceflow.wire.UndecodableMessageException.Reason;
import jakarta.json.Json;
import jakarta.json.bind.Jsonb;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SnsEnvelopeTest {

    private static final Jsonb JSONB = CloudEventCodec.defaultJsonb();
    private static final CloudEventCodec CODEC = new CloudEventCodec(JSONB);
    private final SnsEnvelope envelope = new SnsEnvelope();

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    private static final String CLOUD_EVENT = CODEC.write(new CloudEvent(
            "5b3f2c1e-8d7a-4e6b-9f10-2a3b4c5d6e7f", "orders.OrderPlaced", "/sourceflow/orders-service",
            Instant.parse("2026-11-26T08:00:00.123Z"), "order-42", null, 7L, null, null,
            "{\"orderId\":\"order-42\",\"note\":\"Grüße 😀 \\\"quoted\\\"\\n\",\"total\":12.50}"));

    /** What SQS receives from an SNS subscription without raw message delivery (as SNS formats it). */
    private static String snsNotification(String message) {
        return "{\n"
                + "  \"Type\" : \"Notification\",\n"
                + "  \"MessageId\" : \"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\",\n"
                + "  \"TopicArn\" : \"arn:aws:sns:eu-central-1:123456789012:order-events\",\n"
                + "  \"Message\" : " + Json.createValue(message) + ",\n"
                + "  \"Timestamp\" : \"2026-11-26T08:00:00.456Z\",\n"
                + "  \"SignatureVersion\" : \"1\",\n"
                + "  \"Signature\" : \"EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=\",\n"
                + "  \"SigningCertURL\" : \"https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem\",\n"
                + "  \"UnsubscribeURL\" : \"https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-central-1:123456789012:order-events:7a8b9c0d-1e2f-3a4b-5c6d-7e8f9a0b1c2d\",\n"
                + "  \"MessageAttributes\" : {\n"
                + "    \"sourceflow.type\" : {\"Type\":\"String\",\"Value\":\"orders.OrderPlaced\"},\n"
                + "    \"sourceflow.wire-version\" : {\"Type\":\"String\",\"Value\":\"1\"},\n"
                + "    \"sourceflow.content-type\" : {\"Type\":\"String\",\"Value\":\"application/json\"},\n"
                + "    \"blob\" : {\"Type\":\"Binary\",\"Value\":\"AQID\"}\n"
                + "  }\n"
                + "}";
    }

    @Test
    void unwrapsTheSnsJsonNotification() throws Exception {
        SnsEnvelope.Unwrapped unwrapped = envelope.unwrap(snsNotification(CLOUD_EVENT));

        assertThat(unwrapped.wasEnveloped()).isTrue();
        assertThat(unwrapped.body()).isEqualTo(CLOUD_EVENT);
        assertThat(unwrapped.snsMessageAttributes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "sourceflow.type", "orders.OrderPlaced",
                "sourceflow.wire-version", "1",
                "sourceflow.content-type", "application/json"));
        assertThat(CODEC.read(unwrapped.body()).type()).isEqualTo("orders.OrderPlaced");
    }

    @Test
    void unwrapsANotificationWithoutMessageAttributes() throws Exception {
        String body = "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"SequenceNumber\":\"10000000000000003000\","
                + "\"TopicArn\":\"arn:aws:sns:eu-central-1:123456789012:orders.fifo\",\"Message\":" + Json.createValue(CLOUD_EVENT)
                + ",\"Timestamp\":\"2026-11-26T08:00:00.456Z\",\"UnsubscribeURL\":\"https://example.invalid/\"}";

        SnsEnvelope.Unwrapped unwrapped = envelope.unwrap(body);

        assertThat(unwrapped.wasEnveloped()).isTrue();
        assertThat(unwrapped.body()).isEqualTo(CLOUD_EVENT);
        assertThat(unwrapped.snsMessageAttributes()).isEmpty();
    }

    @Test
    void passesRawDeliveryThroughUnchanged() throws Exception {
        SnsEnvelope.Unwrapped unwrapped = envelope.unwrap(CLOUD_EVENT);

        assertThat(unwrapped.wasEnveloped()).isFalse();
        assertThat(unwrapped.body()).isSameAs(CLOUD_EVENT);
        assertThat(unwrapped.snsMessageAttributes()).isEmpty();
    }

    @Test
    void doesNotUnwrapACloudEventWhoseDataLooksLikeAnSnsNotification() throws Exception {
        String data = "{\"Type\":\"Notification\",\"TopicArn\":\"arn:aws:sns:eu-central-1:123456789012:t\",\"Message\":\"gotcha\"}";
        String cloudEvent = CODEC.write(new CloudEvent("id", "t", "/s", null, null, null, null, null, null, data));

        SnsEnvelope.Unwrapped unwrapped = envelope.unwrap(cloudEvent);

        assertThat(unwrapped.wasEnveloped()).isFalse();
        assertThat(unwrapped.body()).isEqualTo(cloudEvent);
    }

    @Test
    void doesNotUnwrapATopLevelNotificationShapeThatIsACloudEvent() throws Exception {
        String odd = "{\"specversion\":\"1.0\",\"Type\":\"Notification\",\"TopicArn\":\"arn\",\"Message\":\"x\","
                + "\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\",\"data\":{}}";

        assertThat(envelope.unwrap(odd).wasEnveloped()).isFalse();
    }

    @Test
    void passesThroughWhatIsNotJsonSoThatTheCodecCanSayWhy() throws Exception {
        for (String body : new String[] {"", "not json \"TopicArn\"", "[\"TopicArn\"]", "{\"TopicArn\":1,\"Type\":\"Notification\"}"}) {
            SnsEnvelope.Unwrapped unwrapped = envelope.unwrap(body);

            assertThat(unwrapped.wasEnveloped()).isFalse();
            assertThat(unwrapped.body()).isEqualTo(body);
        }
    }

    @Test
    void rejectsOtherSnsMessageTypes() {
        String confirmation = "{\"Type\":\"SubscriptionConfirmation\",\"MessageId\":\"m\","
                + "\"Token\":\"2336412f37fb687f5d51e6e241d638b05d0a6c4d3c8a2a0c3e2d0cd0b0c7a8f\","
                + "\"TopicArn\":\"arn:aws:sns:eu-central-1:123456789012:order-events\","
                + "\"Message\":\"You have chosen to subscribe to the topic ...\","
                + "\"SubscribeURL\":\"https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription\","
                + "\"Timestamp\":\"2026-11-26T08:00:00.456Z\",\"SignatureVersion\":\"1\",\"Signature\":\"x\","
                + "\"SigningCertURL\":\"https://example.invalid/cert.pem\"}";

        UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class,
                () -> envelope.unwrap(confirmation));

        assertThat(e.reason()).isEqualTo(Reason.NOT_AN_SNS_NOTIFICATION);
        assertThat(e.getMessage()).contains("SubscriptionConfirmation");
    }

    @Test
    void rejectsANotificationWithoutAStringMessage() {
        String body = "{\"Type\":\"Notification\",\"TopicArn\":\"arn:aws:sns:eu-central-1:123456789012:t\",\"Message\":{\"a\":1}}";

        UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class, () -> envelope.unwrap(body));

        assertThat(e.reason()).isEqualTo(Reason.NOT_AN_SNS_NOTIFICATION);
    }

    @Test
    void neverEchoesAnUnexpectedTypeValue() {
        String body = "{\"Type\":\"secret value 4111\",\"TopicArn\":\"arn:aws:sns:eu-central-1:123456789012:t\"}";

        UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class, () -> envelope.unwrap(body));

        assertThat(e.getMessage()).doesNotContain("4111");
    }
}
