package io.sourceflow.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.sourceflow.aws.kms.EncryptionContext;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.config.EncryptionSettings;
import io.sourceflow.wire.UndecodableMessageException.Reason;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * Keeps {@code docs/schema/sourceflow-cloudevent-v1.schema.json}, {@code docs/wire-format.md} and the codec in step:
 * validates with a JSON Schema 2020-12 validator (networknt, with format assertions on) the codec's output, the
 * documented example, and three tables of bodies: those a consumer accepts (each must conform and be decoded), those
 * it rejects (each must violate the schema and be rejected by {@link CloudEventCodec#read}), and those that conform
 * but break a rule no schema can state (each must be rejected); and checks that the schema's "required" is exactly
 * what {@code read} requires.
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
    /** Strings the writer must escape, nanoseconds, the largest sequence, and data that is no object. */
    private static final CloudEvent ESCAPED = new CloudEvent("id-\"\\-é-日本", "orders.Order\tPlaced", "urn:x:\u2028",
            Instant.parse("2026-11-26T08:00:00.123456789Z"), "quote\" nl\n 😀 \u2029 \uD83D", "application/json",
            Long.MAX_VALUE, null, null, "[1,\"Grüße 😀\",null]");

    // ------------------------------------------------------------------ the schema itself

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

    // ------------------------------------------------------------------ what the codec writes

    @Test
    void codecOutputConformsToTheSchema() {
        for (CloudEvent event : List.of(FULL, MINIMAL, ESCAPED)) {
            String body = CODEC.write(event);

            assertThat(violations(body)).as("schema violations of %s", body).isEmpty();
        }
    }

    @Test
    void anEncryptedEventAsTheLibraryWritesItConformsAndIsReadBack() throws Exception {
        // what MessageSerializer writes with sourceflow.aws.encryption.enabled=true: data is the encrypted-data envelope
        String plaintext = "{\"customer\":\"Zoë Müller\",\"orderId\":\"order-42\",\"total\":129.90}";
        EncryptionContext context = new EncryptionContext("5b3f2c1e-8d7a-4e6b-9f10-2a3b4c5d6e7f", "orders.PlaceOrder", "orders.fifo");
        MessageEncryptor encryptor = new MessageEncryptor(new InMemoryKms(), new EncryptionSettings(true,
                Optional.of(InMemoryKms.KEY_ARN), Duration.ofMinutes(5), 10_000), Clock.systemUTC());
        String envelope = encryptor.encrypt(plaintext, context);
        CloudEvent event = new CloudEvent(context.messageId(), context.messageType(), "/sourceflow/orders-service",
                Instant.parse("2026-11-26T08:00:00.123Z"), "order-42", MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE, 17L,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=00f067aa0ba902b7", envelope);

        String body = CODEC.write(event);

        assertThat(violations(body)).as("schema violations of %s", body).isEmpty();
        JsonObject data = parse(body).getJsonObject("data");
        assertThat(data.keySet()).containsExactly("v", "alg", "kid", "edk", "iv", "ct");
        CloudEvent read = CODEC.read(body);
        assertThat(read).isEqualTo(event);
        assertThat(encryptor.decrypt(read.dataJson(), context)).isEqualTo(plaintext);
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
                assertThat(violations(without)).as(member).isNotEmpty();
            } else {
                assertThatCode(() -> CODEC.read(without)).as(member).doesNotThrowAnyException();
                assertThat(violations(without)).as(member).isEmpty();
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
        assertThat(violations(example)).isEmpty();
    }

    // ------------------------------------------------------------------ what a consumer accepts and rejects

    /** Bodies a consumer accepts: each must conform to the schema and be decoded. One line a variant. */
    static Stream<Arguments> accepted() {
        return Stream.of(
                accept("the minimal event", event()),
                accept("members in another order, with whitespace",
                        " {\"data\" : {\"a\":1} ,\n\"source\":\"/s\",\t\"type\":\"t\",\"id\":\"i\",\"specversion\":\"1.0\"} "),
                accept("every optional member", event("time", "\"2026-11-26T08:00:00.123Z\"", "subject", "\"order-42\"",
                        "datacontenttype", "\"application/json\"", "sequence", "17", "traceparent", "\"00-4bf9-00f0-01\"",
                        "tracestate", "\"a=1\"", "sfwireversion", "\"1\"", "dataschema", "\"urn:x\"")),
                accept("time null", event("time", "null")),
                accept("subject null", event("subject", "null")),
                accept("datacontenttype null", event("datacontenttype", "null")),
                accept("sequence null", event("sequence", "null")),
                accept("traceparent null", event("traceparent", "null")),
                accept("tracestate null", event("tracestate", "null")),
                accept("sfwireversion null", event("sfwireversion", "null")),
                accept("subject empty", event("subject", "\"\"")),
                accept("datacontenttype blank (means application/json)", event("datacontenttype", "\" \"")),
                accept("datacontenttype of encrypted data", event("datacontenttype", "\"application/vnd.sourceflow.encrypted+json\"")),
                accept("sequence 0", event("sequence", "0")),
                accept("sequence negative", event("sequence", "-5")),
                accept("sequence 2^63-1", event("sequence", "9223372036854775807")),
                accept("sequence -2^63", event("sequence", "-9223372036854775808")),
                accept("sequence integral in decimal notation", event("sequence", "1.0")),
                accept("sequence integral in exponent notation", event("sequence", "1.7e1")),
                accept("sequence as a string", event("sequence", "\"42\"")),
                accept("sequence as a zero-padded string", event("sequence", "\"0000000042\"")),
                accept("sequence as a negative string", event("sequence", "\"-42\"")),
                accept("sequence as a string, 2^63-1", event("sequence", "\"9223372036854775807\"")),
                accept("sequence as a string, -2^63", event("sequence", "\"-9223372036854775808\"")),
                accept("sequence as a string, 2^63-1 zero-padded", event("sequence", "\"0009223372036854775807\"")),
                accept("time with an offset", event("time", "\"2026-11-26T10:00:00.5+02:00\"")),
                accept("time with offset -00:00", event("time", "\"2026-11-26T08:00:00-00:00\"")),
                accept("time with offset +18:00", event("time", "\"2026-11-26T08:00:00+18:00\"")),
                accept("time with lower-case t and z", event("time", "\"2026-11-26t08:00:00z\"")),
                accept("time with nanoseconds", event("time", "\"2026-11-26T08:00:00.123456789Z\"")),
                accept("time with more than 9 fraction digits", event("time", "\"2026-11-26T08:00:00.123456789012Z\"")),
                accept("time on 29 February of a leap year", event("time", "\"2024-02-29T23:59:59Z\"")),
                accept("time in year 0000", event("time", "\"0000-01-01T00:00:00Z\"")),
                accept("a foreign extension, string", event("tenant", "\"acme\"")),
                accept("a foreign extension, number and boolean", event("priority", "5", "urgent", "true")),
                accept("unknown members that are no extension values", event("nested", "{\"a\":[1]}", "list", "[]", "gone", "null")),
                accept("dataschema of any value", event("dataschema", "42")),
                accept("data_base64 beside data (ignored)", event("data_base64", "\"c2VjcmV0\"")),
                accept("data an array", event("data", "[1,{\"a\":2}]")),
                accept("data a string", event("data", "\"text\"")),
                accept("data a number", event("data", "12345678901234567890.123456789")),
                accept("data false", event("data", "false")),
                accept("id of 128 characters", event("id", quoted("x".repeat(128)))),
                accept("id with non-ASCII characters", event("id", "\"é-日本-\\u00a0\"")),
                accept("type and source with inner spaces, source no URI", event("type", "\"orders Order\"", "source", "\"orders service\"")),
                accept("type with a character outside the BMP", event("type", "\"orders.😀\"")));
    }

    /** Bodies a consumer rejects: each must violate the schema and be rejected, naming the member. One line a variant. */
    static Stream<Arguments> rejected() {
        return Stream.of(
                reject("body an array", "[{\"specversion\":\"1.0\"}]", Reason.MALFORMED_JSON, null),
                reject("body a string", "\"{}\"", Reason.MALFORMED_JSON, null),
                reject("body a number", "42", Reason.MALFORMED_JSON, null),
                reject("body null", "null", Reason.MALFORMED_JSON, null),
                reject("specversion missing", event("specversion", ABSENT), Reason.UNSUPPORTED_SPEC_VERSION, "specversion"),
                reject("specversion null", event("specversion", "null"), Reason.UNSUPPORTED_SPEC_VERSION, "specversion"),
                reject("specversion 0.3", event("specversion", "\"0.3\""), Reason.UNSUPPORTED_SPEC_VERSION, "specversion"),
                reject("specversion a number", event("specversion", "1.0"), Reason.UNSUPPORTED_SPEC_VERSION, "specversion"),
                reject("sfwireversion 2", event("sfwireversion", "\"2\""), Reason.UNSUPPORTED_WIRE_VERSION, "sfwireversion"),
                reject("sfwireversion a number", event("sfwireversion", "1"), Reason.UNSUPPORTED_WIRE_VERSION, "sfwireversion"),
                reject("sfwireversion empty", event("sfwireversion", "\"\""), Reason.UNSUPPORTED_WIRE_VERSION, "sfwireversion"),
                reject("id missing", event("id", ABSENT), Reason.MISSING_ID, "id"),
                reject("id null", event("id", "null"), Reason.MISSING_ID, "id"),
                reject("id empty", event("id", "\"\""), Reason.MISSING_ID, "id"),
                reject("id blank", event("id", "\" \\t \""), Reason.MISSING_ID, "id"),
                reject("id an ideographic space", event("id", "\"\\u3000\""), Reason.MISSING_ID, "id"),
                reject("id a number", event("id", "7"), Reason.MISSING_ID, "id"),
                reject("id of 129 characters", event("id", quoted("x".repeat(129))), Reason.MALFORMED_JSON, "id"),
                reject("id with a newline", event("id", "\"a\\nb\""), Reason.MALFORMED_JSON, "id"),
                reject("id ending in a newline", event("id", "\"ab\\n\""), Reason.MALFORMED_JSON, "id"),
                reject("id with DEL", event("id", "\"a\\u007fb\""), Reason.MALFORMED_JSON, "id"),
                reject("id with a C1 control (NEL)", event("id", "\"a\\u0085b\""), Reason.MALFORMED_JSON, "id"),
                reject("id with a line separator", event("id", "\"a\\u2028b\""), Reason.MALFORMED_JSON, "id"),
                reject("id with an unpaired surrogate", event("id", "\"a\\ud800\""), Reason.MALFORMED_JSON, "id"),
                reject("id with a character outside the BMP", event("id", "\"order-😀\""), Reason.MALFORMED_JSON, "id"),
                reject("type missing", event("type", ABSENT), Reason.MISSING_TYPE, "type"),
                reject("type null", event("type", "null"), Reason.MISSING_TYPE, "type"),
                reject("type empty", event("type", "\"\""), Reason.MISSING_TYPE, "type"),
                reject("type blank", event("type", "\"\\u2003\""), Reason.MISSING_TYPE, "type"),
                reject("type an object", event("type", "{}"), Reason.MISSING_TYPE, "type"),
                reject("source missing", event("source", ABSENT), Reason.MALFORMED_JSON, "source"),
                reject("source null", event("source", "null"), Reason.MALFORMED_JSON, "source"),
                reject("source blank", event("source", "\" \""), Reason.MALFORMED_JSON, "source"),
                reject("source a number", event("source", "1"), Reason.MALFORMED_JSON, "source"),
                reject("data missing", event("data", ABSENT), Reason.MISSING_DATA, "data"),
                reject("data null", event("data", "null"), Reason.MISSING_DATA, "data"),
                reject("data_base64 instead of data", event("data", ABSENT, "data_base64", "\"c2VjcmV0\""), Reason.MISSING_DATA, "data"),
                reject("time a number", event("time", "1764144000"), Reason.MALFORMED_JSON, "time"),
                reject("time no timestamp", event("time", "\"yesterday\""), Reason.MALFORMED_JSON, "time"),
                reject("time without offset", event("time", "\"2026-11-26T08:00:00\""), Reason.MALFORMED_JSON, "time"),
                reject("time with a space for T", event("time", "\"2026-11-26 08:00:00Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time without seconds", event("time", "\"2026-11-26T08:00Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time with a point and no fraction", event("time", "\"2026-11-26T08:00:00.Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time on 30 February", event("time", "\"2026-02-30T08:00:00Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time on 29 February of a common year", event("time", "\"2026-02-29T08:00:00Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time at hour 24", event("time", "\"2026-11-26T24:00:00Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time with a leap second", event("time", "\"2016-12-31T23:59:60Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time with offset +19:00", event("time", "\"2026-11-26T08:00:00+19:00\""), Reason.MALFORMED_JSON, "time"),
                reject("time with offset +0200", event("time", "\"2026-11-26T08:00:00+0200\""), Reason.MALFORMED_JSON, "time"),
                reject("time with offset +02", event("time", "\"2026-11-26T08:00:00+02\""), Reason.MALFORMED_JSON, "time"),
                reject("time with offset seconds", event("time", "\"2026-11-26T08:00:00+02:00:30\""), Reason.MALFORMED_JSON, "time"),
                reject("time with a five-digit year", event("time", "\"+12026-11-26T08:00:00Z\""), Reason.MALFORMED_JSON, "time"),
                reject("time ending in a newline", event("time", "\"2026-11-26T08:00:00Z\\n\""), Reason.MALFORMED_JSON, "time"),
                reject("sequence with a fraction", event("sequence", "1.5"), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence 2^63", event("sequence", "9223372036854775808"), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence -2^63-1", event("sequence", "-9223372036854775809"), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a boolean", event("sequence", "true"), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence an object", event("sequence", "{}"), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence an empty string", event("sequence", "\"\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string 2^63", event("sequence", "\"9223372036854775808\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string -2^63-1", event("sequence", "\"-9223372036854775809\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string with a fraction", event("sequence", "\"1.0\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string with an exponent", event("sequence", "\"1e3\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string with spaces", event("sequence", "\" 42\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string ending in a newline", event("sequence", "\"42\\n\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a hexadecimal string", event("sequence", "\"0x2a\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string with a plus sign", event("sequence", "\"+42\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string of Arabic-Indic digits", event("sequence", "\"\u0664\u0662\""), Reason.MALFORMED_JSON, "sequence"),
                reject("sequence a string of fullwidth digits", event("sequence", "\"\uff14\uff12\""), Reason.MALFORMED_JSON, "sequence"),
                reject("subject a number", event("subject", "42"), Reason.MALFORMED_JSON, "subject"),
                reject("subject an object", event("subject", "{\"a\":1}"), Reason.MALFORMED_JSON, "subject"),
                reject("datacontenttype a number", event("datacontenttype", "1"), Reason.MALFORMED_JSON, "datacontenttype"),
                reject("traceparent an array", event("traceparent", "[\"00\"]"), Reason.MALFORMED_JSON, "traceparent"),
                reject("tracestate a boolean", event("tracestate", "false"), Reason.MALFORMED_JSON, "tracestate"));
    }

    /**
     * Bodies that conform to the schema but break a rule that no JSON Schema can state (docs/wire-format.md, "What the
     * schema cannot say"): a consumer rejects them all the same. One line a variant.
     */
    static Stream<Arguments> rejectedBeyondTheSchema() {
        return Stream.of(
                reject("a duplicate member", event().replace("\"id\":\"i\"", "\"id\":\"i\",\"id\":\"j\""), Reason.MALFORMED_JSON, null),
                reject("a duplicate member inside data", event("data", "{\"a\":1,\"a\":2}"), Reason.MALFORMED_JSON, null),
                reject("time in year -1 in UTC", event("time", "\"0000-01-01T00:00:00+01:00\""), Reason.MALFORMED_JSON, "time"),
                reject("time in year 10000 in UTC", event("time", "\"9999-12-31T23:59:59-01:00\""), Reason.MALFORMED_JSON, "time"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptedVariantsConformToTheSchemaAndAreDecoded(String variant, String body) {
        assertThat(violations(body)).as("%s: schema violations", variant).isEmpty();
        assertThatCode(() -> CODEC.read(body)).as("%s: CloudEventCodec.read", variant).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectedVariantsViolateTheSchemaAndAreRejected(String variant, String body, Reason reason, String member) {
        List<String> violations = violations(body);
        UndecodableMessageException rejection = catchThrowableOfType(UndecodableMessageException.class, () -> CODEC.read(body));

        assertThat(violations).as("%s: schema violations", variant).isNotEmpty();
        assertThat(rejection).as("%s: CloudEventCodec.read rejects it", variant).isNotNull();
        assertThat(rejection.reason()).as(variant).isEqualTo(reason);
        if (member == null) {
            assertThat(rejection.getMessage()).as(variant).contains("message body");
        } else {
            assertThat(rejection.getMessage()).as("%s: the rejection names the member", variant).contains(member);
            assertThat(String.join("\n", violations)).as("%s: a violation names the member", variant).contains(member);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedBeyondTheSchema")
    void bodiesBeyondTheSchemaConformYetAreRejected(String variant, String body, Reason reason, String member) {
        UndecodableMessageException rejection = catchThrowableOfType(UndecodableMessageException.class, () -> CODEC.read(body));

        assertThat(violations(body)).as("%s: schema violations", variant).isEmpty();
        assertThat(rejection).as("%s: CloudEventCodec.read rejects it", variant).isNotNull();
        assertThat(rejection.reason()).as(variant).isEqualTo(reason);
        assertThat(rejection.getMessage()).as(variant).contains(member == null ? "message body" : member);
    }

    // ------------------------------------------------------------------ helpers

    /** Marks a member to leave out of {@link #event(String...)}. */
    private static final String ABSENT = null;

    /**
     * The minimal event ({@code specversion}, {@code id}, {@code type}, {@code source}, {@code data}) with members
     * replaced, added or ({@link #ABSENT}) left out.
     *
     * @param namesAndValues member names, each followed by its value as JSON text or {@link #ABSENT}
     */
    private static String event(String... namesAndValues) {
        Map<String, String> members = new LinkedHashMap<>();
        members.put("specversion", "\"1.0\"");
        members.put("id", "\"i\"");
        members.put("type", "\"t\"");
        members.put("source", "\"/s\"");
        members.put("data", "{}");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] == ABSENT) {
                members.remove(namesAndValues[i]);
            } else {
                members.put(namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        StringBuilder body = new StringBuilder("{");
        members.forEach((name, value) -> body.append(body.length() > 1 ? "," : "").append('"').append(name).append("\":").append(value));
        return body.append('}').toString();
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private static Arguments accept(String variant, String body) {
        return Arguments.of(variant, body);
    }

    private static Arguments reject(String variant, String body, Reason reason, String member) {
        return Arguments.of(variant, body, reason, member);
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

    /**
     * KMS for {@link MessageEncryptor} without a server: GenerateDataKey returns a random AES-256 key and a made-up
     * ciphertext blob, Decrypt gives the key back for that blob.
     */
    private static final class InMemoryKms implements KmsClient {

        static final String KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

        private final SecureRandom random = new SecureRandom();
        private final Map<String, byte[]> keysByBlob = new ConcurrentHashMap<>();

        @Override
        public GenerateDataKeyResponse generateDataKey(GenerateDataKeyRequest request) {
            byte[] key = new byte[32];
            byte[] blob = new byte[48];
            random.nextBytes(key);
            random.nextBytes(blob);
            keysByBlob.put(Arrays.toString(blob), key.clone());
            return GenerateDataKeyResponse.builder().keyId(KEY_ARN)
                    .plaintext(SdkBytes.fromByteArray(key)).ciphertextBlob(SdkBytes.fromByteArray(blob)).build();
        }

        @Override
        public DecryptResponse decrypt(DecryptRequest request) {
            byte[] key = keysByBlob.get(Arrays.toString(request.ciphertextBlob().asByteArray()));
            assertThat(key).as("a data key this KMS generated").isNotNull();
            return DecryptResponse.builder().keyId(KEY_ARN).plaintext(SdkBytes.fromByteArray(key.clone())).build();
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }
}
