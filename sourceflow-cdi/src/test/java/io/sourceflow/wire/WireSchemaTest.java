package io.sourceflow.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.bind.Jsonb;
import java.io.IOException;
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
 * Keeps {@code docs/schema/sourceflow-cloudevent-v1.schema.json} and the codec in step: validates the
 * codec's output against the schema with a JSON Schema 2020-12 validator (networknt, with format
 * assertions on), and checks that the schema's "required" is exactly what {@link CloudEventCodec#read}
 * requires.
 */
class WireSchemaTest {

    private static final Jsonb JSONB = CloudEventCodec.defaultJsonb();
    private static final CloudEventCodec CODEC = new CloudEventCodec(JSONB);
    /** Draft 2020-12 whatever the schema says, and "format" asserted (2020-12 makes it an annotation by default). */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static String schemaText;
    private static JsonObject schema;
    private static Schema validator;

    @BeforeAll
    static void loadSchema() throws IOException {
        Path path = Path.of(System.getProperty("basedir", ".")).resolve("../docs/schema/sourceflow-cloudevent-v1.schema.json");
        schemaText = Files.readString(path, StandardCharsets.UTF_8);
        schema = parse(schemaText);
        validator = REGISTRY.getSchema(schemaText, InputFormat.JSON);
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
    void schemaIsAValidDraft202012SchemaAndListsTheRequiredMembers() {
        assertThat(schema.getString("$schema")).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        Schema metaSchema = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertThat(metaSchema.validate(schemaText, InputFormat.JSON)).as("the schema against the 2020-12 meta-schema").isEmpty();
        assertThat(strings(schema.getJsonArray("required"))).containsExactlyInAnyOrder("specversion", "id", "type", "source", "data");
    }

    @Test
    void theValidatorRejectsWhatTheSchemaForbids() {
        // guards the guard: a validator that loaded an empty or wrong schema would accept everything
        assertThat(violations("{\"specversion\":\"1.0\"}")).isNotEmpty();
        assertThat(violations("[]")).isNotEmpty();
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
        assertThat(violations(body.toString())).as("schema violations of %s", body).isEmpty();
    }

    /** What the validator finds wrong with a body, as "location: message" lines; empty if it conforms. */
    private static List<String> violations(String body) {
        List<Error> errors = validator.validate(body, InputFormat.JSON);
        return errors.stream().map(Error::toString).toList();
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
