package io.sourceflow.wire;

import io.sourceflow.wire.UndecodableMessageException.Reason;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CloudEventCodecTest {

    private static final Jsonb JSONB = CloudEventCodec.defaultJsonb();
    private static final CloudEventCodec CODEC = new CloudEventCodec(JSONB);

    private static final Instant TIME = Instant.parse("2026-11-26T08:00:00.123Z");
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    private static CloudEvent event(String subject, Long sequence, String dataJson) {
        return new CloudEvent("7f1c2a52-1f6b-4f57-9c39-3c4f1c7a9b10", "orders.PlaceOrder", "/sourceflow/orders-service",
                TIME, subject, null, sequence, TRACEPARENT, "rojo=00f067aa0ba902b7", dataJson);
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    @Test
    void writesTheStructuredEnvelopeWithDataSplicedInAsJson() {
        String body = CODEC.write(event("order-42", 17L, "{\"orderId\":\"order-42\",\"total\":12.50}"));

        assertThat(body).isEqualTo("{\"specversion\":\"1.0\",\"id\":\"7f1c2a52-1f6b-4f57-9c39-3c4f1c7a9b10\","
                + "\"type\":\"orders.PlaceOrder\",\"source\":\"/sourceflow/orders-service\","
                + "\"time\":\"2026-11-26T08:00:00.123Z\",\"subject\":\"order-42\","
                + "\"datacontenttype\":\"application/json\",\"sequence\":17,"
                + "\"traceparent\":\"" + TRACEPARENT + "\",\"tracestate\":\"rojo=00f067aa0ba902b7\","
                + "\"sfwireversion\":\"1\",\"data\":{\"orderId\":\"order-42\",\"total\":12.50}}");
        JsonObject json = parse(body);
        assertThat(json.get("data").getValueType()).isEqualTo(JsonValue.ValueType.OBJECT);
        assertThat(json.getJsonNumber("sequence").isIntegral()).isTrue();
    }

    @Test
    void omitsAbsentOptionalAttributes() {
        CloudEvent event = new CloudEvent("id-1", "t", "/s", null, null, null, null, null, null, "[1,2]");

        String body = CODEC.write(event);

        assertThat(body).isEqualTo("{\"specversion\":\"1.0\",\"id\":\"id-1\",\"type\":\"t\",\"source\":\"/s\","
                + "\"datacontenttype\":\"application/json\",\"sfwireversion\":\"1\",\"data\":[1,2]}");
        assertThat(parse(body).keySet()).doesNotContain("time", "subject", "sequence", "traceparent", "tracestate");
    }

    @Test
    void roundTripsEveryAttribute() throws Exception {
        CloudEvent event = new CloudEvent("id-1", "orders.OrderPlaced", "urn:sourceflow:orders",
                Instant.parse("2026-11-26T08:00:00.123456789Z"), "order-42", "application/json",
                Long.MAX_VALUE, TRACEPARENT, "a=1,b=2", "{\"x\":[true,false,null,1.5e3,\"y\"]}");

        CloudEvent read = CODEC.read(CODEC.write(event));

        // data comes back exactly as written: its text is cut out of the body, not re-serialized (1.5e3 stays 1.5e3)
        assertThat(read).isEqualTo(event);
    }

    @Test
    void dataObjectsAndArraysAreReadAsTheirExactText() throws Exception {
        String object = "{ \"a\" : [1, 2.50, 1e3, {\"b\":\"}]\\\"\\u00e9\"}],\n  \"c\": {} }";
        String body = "{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\",\"data\" :\t" + object
                + " , \"subject\":\"x\"}";
        assertThat(CODEC.read(body).dataJson()).isEqualTo(object);
        assertThat(CODEC.read(minimal("\"data\":[ 1 , [ ] ]")).dataJson()).isEqualTo("[ 1 , [ ] ]");
        // a value that is no object or array is written back compactly
        assertThat(CODEC.read(minimal("\"data\": \"text\" ")).dataJson()).isEqualTo("\"text\"");
        assertThat(CODEC.read(minimal("\"data\": 42")).dataJson()).isEqualTo("42");
    }

    @Test
    void duplicateMembersAreRejectedAtTheTopAndInsideData() {
        assertReason(minimal("\"data\":{},\"data\":{}"), Reason.MALFORMED_JSON);
        assertReason(minimal("\"data\":{\"a\":1,\"a\":2}"), Reason.MALFORMED_JSON);
        assertReason(minimal("\"data\":[{\"a\":1,\"a\":2}]"), Reason.MALFORMED_JSON);
    }

    @Test
    void readsBackWhatItWroteForCompactData() throws Exception {
        CloudEvent event = event("order-42", 1L, "{\"a\":\"é😀\\n\",\"b\":[1,2.50,null]}");

        assertThat(CODEC.read(CODEC.write(event))).isEqualTo(event);
    }

    @Test
    void writesTimeAsRfc3339InUtcKeepingNanoseconds() {
        assertThat(parse(CODEC.write(withTime(Instant.parse("2026-11-26T08:00:00Z")))).getString("time"))
                .isEqualTo("2026-11-26T08:00:00Z");
        assertThat(parse(CODEC.write(withTime(Instant.parse("2026-11-26T08:00:00.000001Z")))).getString("time"))
                .isEqualTo("2026-11-26T08:00:00.000001Z");
        assertThat(parse(CODEC.write(withTime(Instant.parse("2026-11-26T08:00:00.123456789Z")))).getString("time"))
                .isEqualTo("2026-11-26T08:00:00.123456789Z");
    }

    private static CloudEvent withTime(Instant time) {
        return new CloudEvent("id", "t", "/s", time, null, null, null, null, null, "{}");
    }

    @Test
    void readsTimeWithAnOffsetAsTheSameInstant() throws Exception {
        CloudEvent read = CODEC.read("{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\","
                + "\"time\":\"2026-11-26T10:00:00.5+02:00\",\"data\":{}}");

        assertThat(read.time()).isEqualTo(Instant.parse("2026-11-26T08:00:00.500Z"));
        assertThat(read.dataContentType()).isEqualTo("application/json");
        assertThat(read.sequence()).isNull();
    }

    @Test
    void escapesStringsAsJsonRequires() throws Exception {
        String nasty = "quote\" backslash\\ slash/ nl\n cr\r tab\t bs\b ff\f nul\u0000 us\u001f del\u007f"
                + " é ü 日本語 😀 🇩🇪 \u2028\u2029 lone-high\uD83D lone-low\uDE00 end";
        CloudEvent event = new CloudEvent(nasty, "t", "/s", null, nasty, null, null, null, null, "{}");

        String body = CODEC.write(event);

        assertThat(body).doesNotContainPattern("[\\x00-\\x1f\\u2028\\u2029]");
        assertThat(body).contains("😀", "日本語", "\\u0000", "\\u001f", "\\ud83d", "\\ude00");
        // Surrogate pairs stay intact, so the body encodes to UTF-8 without '?' substitutes.
        assertThat(new String(body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(body);
        JsonObject json = parse(body);
        assertThat(json.getString("id")).isEqualTo(nasty);
        // an id with control characters is refused on reading (it keys idempotency records and goes into logs)
        assertThatThrownBy(() -> CODEC.read(body)).isInstanceOf(UndecodableMessageException.class)
                .hasMessageContaining("id must be at most 128 characters without control characters")
                .hasMessageContaining("has a control character or line separator at index 27");
        String readable = CODEC.write(new CloudEvent("id-1", "t", "/s", null, nasty, null, null, null, null, "{}"));
        assertThat(CODEC.read(readable).subject()).isEqualTo(nasty);
    }

    @Test
    void ignoresUnknownAttributes() throws Exception {
        CloudEvent read = CODEC.read("{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\","
                + "\"futureext\":\"x\",\"nested\":{\"a\":[1]},\"dataschema\":\"urn:x\",\"data\":{\"k\":1}}");

        assertThat(read.dataJson()).isEqualTo("{\"k\":1}");
    }

    @Test
    void treatsNullAttributesAsAbsent() throws Exception {
        CloudEvent read = CODEC.read("{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\","
                + "\"subject\":null,\"time\":null,\"sequence\":null,\"sfwireversion\":null,\"data\":{}}");

        assertThat(read.subject()).isNull();
        assertThat(read.time()).isNull();
        assertThat(read.sequence()).isNull();
    }

    @Test
    void acceptsSequenceAsADigitStringAsInTheCloudEventsSequenceExtension() throws Exception {
        CloudEvent read = CODEC.read("{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\","
                + "\"sequence\":\"42\",\"data\":{}}");

        assertThat(read.sequence()).isEqualTo(42L);
    }

    @Test
    void readsAnyJsonValueAsData() throws Exception {
        assertThat(CODEC.read(minimal("\"data\":\"text\"")).dataJson()).isEqualTo("\"text\"");
        assertThat(CODEC.read(minimal("\"data\":[1,{\"a\":2}]")).dataJson()).isEqualTo("[1,{\"a\":2}]");
        assertThat(CODEC.read(minimal("\"data\":12345678901234567890.123456789")).dataJson())
                .isEqualTo("12345678901234567890.123456789");
    }

    private static String minimal(String more) {
        return "{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\"," + more + "}";
    }

    // ------------------------------------------------------------------ rejections

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"specversion\":\"1.0\",", "[1,2]", "\"a string\"", "42", "null", "", "   ",
        "{\"specversion\":\"1.0\"} trailing"})
    void rejectsABodyThatIsNotAJsonObject(String body) {
        assertReason(body, Reason.MALFORMED_JSON);
    }

    @Test
    void rejectsDuplicateMembersSoNoTwoReadersCanDisagree() {
        UndecodableMessageException e = reject(minimal("\"type\":\"other\",\"data\":{}"));

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_JSON);
        assertThat(e.getMessage()).contains("duplicate member name");
    }

    @Test
    void rejectsAMissingOrWrongSpecVersion() {
        assertReason("{\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\",\"data\":{}}", Reason.UNSUPPORTED_SPEC_VERSION);
        assertReason("{\"specversion\":\"0.3\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\",\"data\":{}}",
                Reason.UNSUPPORTED_SPEC_VERSION);
        assertReason("{\"specversion\":1.0,\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\",\"data\":{}}",
                Reason.UNSUPPORTED_SPEC_VERSION);
    }

    @Test
    void rejectsAnUnknownWireVersion() {
        assertReason(minimal("\"sfwireversion\":\"2\",\"data\":{}"), Reason.UNSUPPORTED_WIRE_VERSION);
        assertReason(minimal("\"sfwireversion\":1,\"data\":{}"), Reason.UNSUPPORTED_WIRE_VERSION);
    }

    @Test
    void rejectsAMissingOrBlankId() {
        assertReason("{\"specversion\":\"1.0\",\"type\":\"t\",\"source\":\"/s\",\"data\":{}}", Reason.MISSING_ID);
        assertReason("{\"specversion\":\"1.0\",\"id\":\" \",\"type\":\"t\",\"source\":\"/s\",\"data\":{}}", Reason.MISSING_ID);
        assertReason("{\"specversion\":\"1.0\",\"id\":7,\"type\":\"t\",\"source\":\"/s\",\"data\":{}}", Reason.MISSING_ID);
    }

    @Test
    void rejectsAMissingOrBlankType() {
        assertReason("{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"/s\",\"data\":{}}", Reason.MISSING_TYPE);
        assertReason("{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"\",\"source\":\"/s\",\"data\":{}}", Reason.MISSING_TYPE);
    }

    @Test
    void rejectsMissingOrNullData() {
        assertReason(minimal("\"subject\":\"x\""), Reason.MISSING_DATA);
        assertReason(minimal("\"data\":null"), Reason.MISSING_DATA);
    }

    @Test
    void rejectsBase64DataWithAClearMessage() {
        UndecodableMessageException e = reject(minimal("\"data_base64\":\"c2VjcmV0\""));

        assertThat(e.reason()).isEqualTo(Reason.MISSING_DATA);
        assertThat(e.getMessage()).contains("data_base64 is not supported").doesNotContain("c2VjcmV0");
    }

    @Test
    void rejectsMalformedOptionalAttributes() {
        assertReason("{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"data\":{}}", Reason.MALFORMED_JSON);
        assertReason(minimal("\"time\":\"yesterday\",\"data\":{}"), Reason.MALFORMED_JSON);
        assertReason(minimal("\"sequence\":1.5,\"data\":{}"), Reason.MALFORMED_JSON);
        assertReason(minimal("\"sequence\":99999999999999999999,\"data\":{}"), Reason.MALFORMED_JSON);
        assertReason(minimal("\"subject\":{\"a\":1},\"data\":{}"), Reason.MALFORMED_JSON);
    }

    @Test
    void neverEchoesThePayloadInRejections() {
        String secret = "4111-1111-1111-1111";
        for (String body : new String[] {
            "{\"card\":\"" + secret + "\"",
            "{\"specversion\":\"" + secret + "\"}",
            minimal("\"sfwireversion\":\"" + secret + "\",\"data\":{}"),
            minimal("\"time\":\"" + secret + "\",\"data\":{}"),
            "{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\",\"source\":\"/s\",\"x\":" + secret + "}",
        }) {
            assertThat(reject(body).getMessage()).doesNotContain(secret).doesNotContain("4111");
        }
    }

    @Test
    void validatesRequiredFieldsOnConstruction() {
        assertThatThrownBy(() -> new CloudEvent(null, "t", "/s", null, null, null, null, null, null, "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> new CloudEvent("i", " ", "/s", null, null, null, null, null, null, "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type");
        assertThatThrownBy(() -> new CloudEvent("i", "t", "", null, null, null, null, null, null, "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> new CloudEvent("i", "t", "/s", null, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataJson");
        assertThat(new CloudEvent("i", "t", "/s", null, null, " ", null, null, null, "{}").dataContentType())
                .isEqualTo("application/json");
    }

    private static void assertReason(String body, Reason reason) {
        assertThat(reject(body).reason()).as(body).isEqualTo(reason);
    }

    private static UndecodableMessageException reject(String body) {
        UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class, () -> CODEC.read(body));
        assertThat(e).as("expected %s to be rejected", body).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }
}
