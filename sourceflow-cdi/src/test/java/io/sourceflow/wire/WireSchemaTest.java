package io.sourceflow.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/schema/sourceflow-cloudevent-v1.schema.json} and the codec in step: checks the
 * codec's output against the schema's required members, types, constants and bounds (a small
 * subset of JSON Schema, enough for this flat schema), and that the schema's "required" is exactly
 * what {@link CloudEventCodec#read} requires.
 */
class WireSchemaTest {

    private static final Jsonb JSONB = CloudEventCodec.defaultJsonb();
    private static final CloudEventCodec CODEC = new CloudEventCodec(JSONB);
    private static JsonObject schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        Path path = Path.of(System.getProperty("basedir", ".")).resolve("../docs/schema/sourceflow-cloudevent-v1.schema.json");
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            schema = Json.createReader(reader).readObject();
        }
    }

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    private static final CloudEvent FULL = new CloudEvent("5b3f2c1e-8d7a-4e6b-9f10-2a3b4c5d6e7f", "orders.OrderPlaced",
            "/sourceflow/orders-service", Instant.parse("2026-11-26T08:00:00.123Z"), "order-42", "application/json",
            Long.MIN_VALUE, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=00f067aa0ba902b7",
            "{\"orderId\":\"order-42\",\"total\":12.50}");
    private static final CloudEvent MINIMAL = new CloudEvent("i", "t", "/s", null, null, null, null, null, null, "{}");

    @Test
    void schemaIsDraft202012AndListsTheRequiredMembers() {
        assertThat(schema.getString("$schema")).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(strings(schema.getJsonArray("required"))).containsExactlyInAnyOrder("specversion", "id", "type", "source", "data");
    }

    @Test
    void codecOutputConformsToTheSchema() {
        for (CloudEvent event : List.of(FULL, MINIMAL)) {
            JsonObject body = parse(CODEC.write(event));

            assertConforms(body);
        }
    }

    @Test
    void theCodecWritesNoMemberTheSchemaDoesNotDescribe() {
        JsonObject properties = schema.getJsonObject("properties");

        assertThat(properties.keySet()).containsAll(parse(CODEC.write(FULL)).keySet());
    }

    @Test
    void readRequiresExactlyWhatTheSchemaRequires() {
        JsonObject full = parse(CODEC.write(FULL));
        Set<String> required = Set.copyOf(strings(schema.getJsonArray("required")));
        for (String member : full.keySet()) {
            String without = without(full, member);
            if (required.contains(member)) {
                assertThatThrownBy(() -> CODEC.read(without)).as(member).isInstanceOf(UndecodableMessageException.class);
            } else {
                assertThatCode(() -> CODEC.read(without)).as(member).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void theDocumentedExampleIsExactlyWhatTheCodecWritesAndConforms() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("basedir", ".")).resolve("../docs/wire-format.md"),
                StandardCharsets.UTF_8);
        String marker = "The same body, exactly as written:\n\n```text\n";
        int start = doc.indexOf(marker);
        assertThat(start).as("example in docs/wire-format.md").isNotNegative();
        String example = doc.substring(start + marker.length(), doc.indexOf("\n```", start + marker.length()));

        CloudEvent event = CODEC.read(example);

        assertThat(CODEC.write(event)).isEqualTo(example);
        assertConforms(parse(example));
    }

    private static void assertConforms(JsonObject body) {
        for (String member : strings(schema.getJsonArray("required"))) {
            assertThat(body).as("required member").containsKey(member);
        }
        JsonObject properties = schema.getJsonObject("properties");
        body.forEach((name, value) -> {
            JsonObject rule = properties.getJsonObject(name);
            if (rule == null) {
                return; // additionalProperties: true
            }
            if (rule.containsKey("type")) {
                assertThat(jsonSchemaType(value, rule.getString("type"))).as(name + " type").isEqualTo(rule.getString("type"));
            }
            if (rule.containsKey("const")) {
                assertThat(value).as(name + " const").isEqualTo(rule.get("const"));
            }
            if (rule.containsKey("minLength")) {
                assertThat(((JsonString) value).getString().codePointCount(0, ((JsonString) value).getString().length()))
                        .as(name + " minLength").isGreaterThanOrEqualTo(rule.getInt("minLength"));
            }
            if (rule.containsKey("minimum")) {
                assertThat(((JsonNumber) value).bigDecimalValue()).as(name + " minimum")
                        .isGreaterThanOrEqualTo(rule.getJsonNumber("minimum").bigDecimalValue());
            }
            if (rule.containsKey("maximum")) {
                assertThat(((JsonNumber) value).bigDecimalValue()).as(name + " maximum")
                        .isLessThanOrEqualTo(rule.getJsonNumber("maximum").bigDecimalValue());
            }
            if (rule.containsKey("not")) {
                String forbidden = rule.getJsonObject("not").getString("type");
                assertThat(jsonSchemaType(value, forbidden)).as(name + " must not be " + forbidden).isNotEqualTo(forbidden);
            }
            if ("date-time".equals(rule.getString("format", null))) {
                assertThatCode(() -> Instant.parse(((JsonString) value).getString())).as(name).doesNotThrowAnyException();
            }
        });
    }

    /** The JSON Schema type name of a value; "integer" only when the schema asks for it. */
    private static String jsonSchemaType(JsonValue value, String expected) {
        return switch (value.getValueType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "integer".equals(expected) && ((JsonNumber) value).isIntegral() ? "integer" : "number";
            case TRUE, FALSE -> "boolean";
            case NULL -> "null";
        };
    }

    private static List<String> strings(jakarta.json.JsonArray array) {
        return array.getValuesAs(JsonString::getString);
    }

    private static String without(JsonObject object, String member) {
        JsonObjectBuilder builder = Json.createObjectBuilder(object);
        builder.remove(member);
        return builder.build().toString();
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }
}
