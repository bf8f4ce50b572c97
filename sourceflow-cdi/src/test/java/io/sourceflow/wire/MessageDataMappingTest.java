package io.sourceflow.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sourceflow.wire.UndecodableMessageException.Reason;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.bind.Jsonb;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Message data through JSON-B (Yasson) with {@link CloudEventCodec#defaultJsonb()}. */
class MessageDataMappingTest {

    private static final Jsonb JSONB = CloudEventCodec.defaultJsonb();
    private static final CloudEventCodec CODEC = new CloudEventCodec(JSONB);

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    public enum Status { PLACED, PAID, SHIPPED }

    public record Line(String sku, int quantity, BigDecimal price) {}

    public record Address(String street, String city, Optional<String> region) {}

    public record OrderPlaced(
            String orderId,
            Instant placedAt,
            LocalDate deliveryDate,
            OffsetDateTime promisedAt,
            BigDecimal total,
            Status status,
            Optional<String> couponCode,
            Optional<String> note,
            Optional<Address> billingAddress,
            Address shippingAddress,
            List<Line> lines,
            String comment,
            long version,
            boolean gift) {}

    public record Minimal(String id) {}

    /** A newer producer's record: one property more than {@link Minimal}. */
    public record MinimalV2(String id, String addedLater) {}

    record PackagePrivate(String id) {}

    public record Attachment(String name, byte[] content) {}

    private static OrderPlaced sample(Optional<String> couponCode, Optional<Address> billing) {
        return new OrderPlaced(
                "order-42",
                Instant.parse("2026-11-26T08:00:00.123456789Z"),
                LocalDate.of(2026, 12, 24),
                OffsetDateTime.parse("2026-11-26T10:00:00.5+02:00"),
                new BigDecimal("12345678901234567890.123456789"),
                Status.PAID,
                couponCode,
                Optional.empty(),
                billing,
                new Address("Königsallee 1", "Düsseldorf", Optional.empty()),
                List.of(new Line("SKU-1", 2, new BigDecimal("9.90")), new Line("SKU-2", 1, new BigDecimal("0.10"))),
                "Grüße 😀👍🏽 日本 — tab\\t nl\n nul\u0000 bell\u0007 quote\" backslash\\ \u2028",
                Long.MAX_VALUE,
                true);
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    @Test
    void roundTripsRecordsWithJavaTimeBigDecimalEnumsOptionalsAndLists() throws Exception {
        for (OrderPlaced original : List.of(
                sample(Optional.of("XMAS"), Optional.of(new Address("Main St 1", "Springfield", Optional.of("IL")))),
                sample(Optional.empty(), Optional.empty()))) {
            String json = CODEC.dataToJson(original);

            OrderPlaced back = CODEC.dataFromJson(json, OrderPlaced.class);

            assertThat(back).isEqualTo(original);
        }
    }

    @Test
    void roundTripsThroughTheWholeEnvelope() throws Exception {
        OrderPlaced original = sample(Optional.of("XMAS"), Optional.empty());
        CloudEvent event = new CloudEvent("id-1", "orders.OrderPlaced", "/orders", Instant.now(), "order-42",
                null, 3L, null, null, CODEC.dataToJson(original));

        CloudEvent read = CODEC.read(CODEC.write(event));

        assertThat(CODEC.dataFromJson(read.dataJson(), OrderPlaced.class)).isEqualTo(original);
    }

    @Test
    void mapsJavaTypesToTheDocumentedJson() {
        JsonObject json = parse(CODEC.dataToJson(sample(Optional.of("XMAS"), Optional.empty())));

        assertThat(json.getString("placedAt")).isEqualTo("2026-11-26T08:00:00.123456789Z");
        assertThat(json.getString("deliveryDate")).isEqualTo("2026-12-24");
        assertThat(json.getString("promisedAt")).isEqualTo("2026-11-26T10:00:00.5+02:00");
        assertThat(json.getString("status")).isEqualTo("PAID");
        assertThat(json.getString("couponCode")).isEqualTo("XMAS");
        // empty Optional and null: the property is left out
        assertThat(json).doesNotContainKeys("note", "billingAddress");
        assertThat(json.getJsonObject("shippingAddress")).doesNotContainKey("region");
        assertThat(json.getJsonArray("lines")).hasSize(2);
        assertThat(json.getJsonNumber("version").longValueExact()).isEqualTo(Long.MAX_VALUE);
        assertThat(json.getBoolean("gift")).isTrue();
    }

    @Test
    void keepsBigDecimalExactWithItsScaleAsAJsonNumber() throws Exception {
        String json = CODEC.dataToJson(sample(Optional.empty(), Optional.empty()));
        JsonObject object = parse(json);

        assertThat(object.get("total").getValueType()).isEqualTo(jakarta.json.JsonValue.ValueType.NUMBER);
        assertThat(json).contains("\"total\":12345678901234567890.123456789");
        assertThat(json).contains("\"price\":9.90");

        OrderPlaced back = CODEC.dataFromJson(json, OrderPlaced.class);
        assertThat(back.total()).isEqualTo(new BigDecimal("12345678901234567890.123456789"));
        assertThat(back.total().scale()).isEqualTo(9);
        assertThat(back.lines().get(0).price()).isEqualTo(new BigDecimal("9.90"));
        assertThat(back.lines().get(0).price().scale()).isEqualTo(2);
    }

    @Test
    void writesBytesAsBase64() throws Exception {
        String json = CODEC.dataToJson(new Attachment("a", new byte[] {1, 2, 3, (byte) 0xff}));

        assertThat(json).isEqualTo("{\"content\":\"AQID/w==\",\"name\":\"a\"}");
        assertThat(CODEC.dataFromJson(json, Attachment.class).content()).containsExactly(1, 2, 3, 0xff);
    }

    @Test
    void keepsInstantNanoseconds() throws Exception {
        OrderPlaced back = CODEC.dataFromJson(CODEC.dataToJson(sample(Optional.empty(), Optional.empty())), OrderPlaced.class);

        assertThat(back.placedAt().getNano()).isEqualTo(123_456_789);
    }

    @Test
    void writesNonAsciiAsUtf8AndEscapesControlCharacters() throws Exception {
        String json = CODEC.dataToJson(new Minimal("😀 é \u0001 \n"));

        assertThat(json).contains("😀 é").contains("\\u0001").contains("\\n").doesNotContainPattern("[\\x00-\\x1f]");
        assertThat(CODEC.dataFromJson(json, Minimal.class).id()).isEqualTo("😀 é \u0001 \n");
    }

    @Test
    void absentPropertiesBecomeNullOrEmptySoProducersAndConsumersCanEvolve() throws Exception {
        OrderPlaced sparse = CODEC.dataFromJson("{\"orderId\":\"o-1\"}", OrderPlaced.class);

        assertThat(sparse.orderId()).isEqualTo("o-1");
        assertThat(sparse.couponCode()).isEmpty();
        assertThat(sparse.billingAddress()).isEmpty();
        assertThat(sparse.total()).isNull();
        assertThat(sparse.lines()).isNull();
        assertThat(sparse.version()).isZero();
        assertThat(sparse.gift()).isFalse();
        // explicit JSON null for an Optional is empty as well
        assertThat(CODEC.dataFromJson("{\"couponCode\":null}", OrderPlaced.class).couponCode()).isEmpty();
    }

    @Test
    void ignoresUnknownPropertiesFromNewerProducers() throws Exception {
        String newer = CODEC.dataToJson(new MinimalV2("m-1", "x"));

        assertThat(CODEC.dataFromJson(newer, Minimal.class)).isEqualTo(new Minimal("m-1"));
        assertThat(CODEC.dataFromJson(CODEC.dataToJson(new Minimal("m-1")), MinimalV2.class))
                .isEqualTo(new MinimalV2("m-1", null));
    }

    @Test
    void reportsASchemaMismatchWithTheTypeNameButNotThePayload() {
        String secret = "SECRET-4111";
        for (String json : List.of(
                "{\"total\":\"" + secret + "\"}",
                "{\"status\":\"" + secret + "\"}",
                "{\"placedAt\":\"" + secret + "\"}",
                "{\"lines\":\"" + secret + "\"}",
                "[\"" + secret + "\"]",
                "{\"orderId\":",
                "null")) {
            UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class,
                    () -> CODEC.dataFromJson(json, OrderPlaced.class));

            assertThat(e).as(json).isNotNull();
            assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH);
            assertThat(e.getMessage()).contains(OrderPlaced.class.getName()).doesNotContain(secret);
            assertThat(e.getCause()).isNull();
        }
    }

    @Test
    void explainsThatMessageTypesMustBePublic() {
        assertThatThrownBy(() -> CODEC.dataToJson(new PackagePrivate("p")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PackagePrivate.class.getName())
                .hasMessageContaining("public");
        UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class,
                () -> CODEC.dataFromJson("{\"id\":\"p\"}", PackagePrivate.class));
        assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH);
        assertThat(e.getMessage()).contains("make the type public");
    }

    /** A type JSON-B cannot create: no public no-argument constructor and no @JsonbCreator. */
    public static class NoDefaultConstructor {
        public final String id;

        public NoDefaultConstructor(String id) {
            this.id = id;
        }
    }

    /** Issue 13, item 18: the reason said "(JsonbException)" and hid the real cause, a type JSON-B cannot create. */
    @Test
    void aTypeJsonbCannotCreateIsNamedAsTheCause() {
        UndecodableMessageException e = catchThrowableOfType(UndecodableMessageException.class,
                () -> CODEC.dataFromJson("{\"id\":\"SECRET-4111\"}", NoDefaultConstructor.class));
        assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH);
        assertThat(e.getMessage()).containsIgnoringCase("no default constructor").doesNotContain("SECRET-4111");
    }
}
