package io.sourceflow.wire;

import io.sourceflow.wire.UndecodableMessageException.Reason;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.config.BinaryDataStrategy;
import jakarta.json.bind.config.PropertyOrderStrategy;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParsingException;

import java.lang.reflect.Modifier;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Writes and reads SourceFlow wire format 1: a CloudEvents 1.0 event in structured JSON mode
 * (see {@code docs/wire-format.md}), and maps message data to and from JSON with JSON-B.
 *
 * <p>Thread-safe; construct one per application and share it. The codec never loads a class by a
 * name taken from the wire: the caller resolves {@link CloudEvent#type()} through its allow-list
 * and passes the Java type to {@link #dataFromJson(String, Class)}.
 *
 * <p>Use {@link #defaultJsonb()} for the {@link Jsonb} unless the application has its own
 * reason not to; the wire format's JSON mapping is documented against that configuration.
 */
public final class CloudEventCodec {

    /** The CloudEvents {@code specversion} this codec writes and accepts. */
    public static final String SPEC_VERSION = "1.0";
    /** The SourceFlow wire format version, written as the {@code sfwireversion} extension. */
    public static final String WIRE_VERSION = "1";

    private static final System.Logger LOG = System.getLogger(CloudEventCodec.class.getName());
    /**
     * The longest {@code id} accepted (the idempotency stores key records by it). An id is also limited to characters
     * of the Basic Multilingual Plane, so that this length counts the same in UTF-16 units ({@link String#length()}),
     * code points (JSON Schema's {@code maxLength}) and database characters.
     */
    public static final int MAX_ID_LENGTH = 128;

    private final Jsonb jsonb;
    private final StrictJson strictJson = new StrictJson();

    /**
     * @param jsonb the JSON-B instance used for message data; not closed by the codec (the caller
     *              owns it). Normally {@link #defaultJsonb()}.
     */
    public CloudEventCodec(Jsonb jsonb) {
        this.jsonb = Objects.requireNonNull(jsonb, "jsonb");
    }

    /**
     * Creates the JSON-B instance the wire format is specified against: compact output, null
     * values and empty {@code Optional}s omitted, properties in lexicographical order,
     * {@code byte[]} as a Base64 string (RFC 4648, with padding) instead of an array of numbers, locale
     * {@link Locale#ROOT} (so {@code @JsonbNumberFormat}/{@code @JsonbDateFormat} do not depend on
     * the server's locale), and creator parameters not required (a property missing from the JSON,
     * e.g. one added in a newer version of a record, becomes {@code null}, {@code Optional.empty()}
     * or the primitive default, which lets producers and consumers be upgraded independently).
     *
     * <p>The caller owns the returned instance and should close it when the application stops.
     *
     * @return a new JSON-B instance
     */
    public static Jsonb defaultJsonb() {
        return JsonbBuilder.create(new JsonbConfig()
                .withFormatting(false)
                .withNullValues(false)
                .withPropertyOrderStrategy(PropertyOrderStrategy.LEXICOGRAPHICAL)
                .withBinaryDataStrategy(BinaryDataStrategy.BASE_64)
                .withLocale(Locale.ROOT)
                .withCreatorParametersRequired(false));
    }

    // ------------------------------------------------------------------ write

    /**
     * Writes the event as one compact CloudEvents structured-mode JSON object. {@code data} is
     * {@link CloudEvent#dataJson()} spliced in as a JSON value (not re-parsed, not quoted).
     *
     * @param event the event
     * @return the message body
     */
    public String write(CloudEvent event) {
        Objects.requireNonNull(event, "event");
        String data = event.dataJson();
        StringBuilder out = new StringBuilder(data.length() + 320);
        out.append("{\"specversion\":\"").append(SPEC_VERSION).append('"');
        member(out, "id", event.id());
        member(out, "type", event.type());
        member(out, "source", event.source());
        if (event.time() != null) {
            // ISO_INSTANT is RFC 3339 in UTC with 0, 3, 6 or 9 fraction digits, as needed.
            out.append(",\"time\":\"");
            DateTimeFormatter.ISO_INSTANT.formatTo(event.time(), out);
            out.append('"');
        }
        if (event.subject() != null) {
            member(out, "subject", event.subject());
        }
        member(out, "datacontenttype", event.dataContentType());
        if (event.sequence() != null) {
            out.append(",\"sequence\":").append(event.sequence().longValue());
        }
        if (event.traceparent() != null) {
            member(out, "traceparent", event.traceparent());
        }
        if (event.tracestate() != null) {
            member(out, "tracestate", event.tracestate());
        }
        out.append(",\"sfwireversion\":\"").append(WIRE_VERSION).append('"');
        out.append(",\"data\":").append(data).append('}');
        return out.toString();
    }

    private static void member(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":");
        JsonText.appendQuoted(out, value);
    }

    // ------------------------------------------------------------------ read

    /**
     * Reads a CloudEvents structured-mode JSON object. Attributes this version does not know are
     * ignored; a JSON {@code null} attribute counts as absent.
     *
     * @param body the message body (after SNS unwrapping, see {@link SnsEnvelope})
     * @return the event; {@link CloudEvent#dataJson()} is {@code data} exactly as it appears in the body when
     *         it is an object or an array (the body is parsed once, and the data's text cut out of it); any other
     *         value is re-serialized compactly
     * @throws UndecodableMessageException if the body is not a SourceFlow wire format 1 message;
     *                                     retrying cannot help
     */
    public CloudEvent read(String body) throws UndecodableMessageException {
        if (body == null || body.isBlank()) {
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, "message body is empty; expected a CloudEvents JSON object");
        }
        StrictJson.WithMemberText parsed = parseObject(body);
        JsonObject json = (JsonObject) parsed.value();

        JsonValue specVersion = json.get("specversion");
        if (!(specVersion instanceof JsonString s) || !SPEC_VERSION.equals(s.getString())) {
            throw new UndecodableMessageException(Reason.UNSUPPORTED_SPEC_VERSION, specVersion == null || specVersion == JsonValue.NULL
                    ? "specversion is missing; expected a CloudEvents " + SPEC_VERSION + " structured-mode JSON object"
                    : "specversion must be the string \"" + SPEC_VERSION + "\" (CloudEvents " + SPEC_VERSION + ")");
        }
        JsonValue wireVersion = json.get("sfwireversion");
        if (wireVersion != null && wireVersion != JsonValue.NULL
                && !(wireVersion instanceof JsonString w && WIRE_VERSION.equals(w.getString()))) {
            throw new UndecodableMessageException(Reason.UNSUPPORTED_WIRE_VERSION,
                    "sfwireversion must be the string \"" + WIRE_VERSION
                    + "\"; the message was written by a newer or foreign producer: upgrade this consumer");
        }
        String id = requiredString(json, "id", Reason.MISSING_ID);
        String idProblem = idProblem(id);
        if (idProblem != null) {
            // ids key idempotency records (128 characters in the JPA store) and appear in logs: checked here, once
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, "id must be at most " + MAX_ID_LENGTH
                    + " characters without control characters, all from the Basic Multilingual Plane; it " + idProblem);
        }
        String type = requiredString(json, "type", Reason.MISSING_TYPE);
        String source = optionalString(json, "source");
        if (source == null || source.isBlank()) {
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, "source is required and must be a non-blank string");
        }

        JsonValue data = json.get("data");
        if (data == null || data == JsonValue.NULL) {
            throw new UndecodableMessageException(Reason.MISSING_DATA, json.containsKey("data_base64")
                    ? "data_base64 is not supported by SourceFlow wire format " + WIRE_VERSION + "; send the data as JSON in \"data\""
                    : "data is missing");
        }

        Instant time = readTime(json);
        try {
            return new CloudEvent(
                id,
                type,
                source,
                time,
                optionalString(json, "subject"),
                optionalString(json, "datacontenttype"),
                readSequence(json),
                optionalString(json, "traceparent"),
                optionalString(json, "tracestate"),
                parsed.memberText() != null ? parsed.memberText() : data.toString(),
                extensions(json));
        } catch (IllegalArgumentException e) {
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, e.getMessage());
        }
    }

    /**
     * What makes an id unfit to key idempotency records and to be logged, or {@code null}. A surrogate, paired (a
     * character outside the BMP) or not, is refused: an unpaired one has no UTF-8 form and would be stored as '?', so
     * that two different ids could share one idempotency record.
     */
    private static String idProblem(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return "is " + id.length() + " characters long";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isSurrogate(c)) {
                return "has a character outside the Basic Multilingual Plane, or an unpaired surrogate, at index " + i;
            }
            if (!WireText.isPrintable(c)) {
                return "has a control character or line separator at index " + i;
            }
        }
        return null;
    }

    /** The attributes of CloudEvents 1.0 and of SourceFlow's wire format: everything else is a foreign extension. */
    private static final Set<String> KNOWN_ATTRIBUTES = Set.of("specversion", "id", "type", "source", "time", "subject",
            "datacontenttype", "dataschema", "data", "data_base64", "sequence", "traceparent", "tracestate", "sfwireversion");

    /**
     * The foreign extension attributes, as text. CloudEvents extension values are scalars (string, number, boolean);
     * a member that is an object, an array or null is not an extension attribute and is left out.
     */
    private static Map<String, String> extensions(JsonObject json) {
        Map<String, String> extensions = new java.util.TreeMap<>();
        json.forEach((name, value) -> {
            if (KNOWN_ATTRIBUTES.contains(name)) {
                return;
            }
            switch (value.getValueType()) {
                case STRING -> extensions.put(name, ((JsonString) value).getString());
                case NUMBER, TRUE, FALSE -> extensions.put(name, value.toString());
                default -> { }
            }
        });
        return extensions;
    }

    /** The body as an object, with the source text of its {@code data}. */
    private StrictJson.WithMemberText parseObject(String body) throws UndecodableMessageException {
        StrictJson.WithMemberText parsed;
        try {
            parsed = strictJson.parse(body, "data");
        } catch (JsonParsingException e) {
            // The parser's own message may quote the offending text: report the location only.
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, "message body is not valid JSON" + at(e.getLocation()));
        } catch (JsonException e) {
            // StrictJson's own messages never quote the input.
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, "message body is not valid JSON: " + e.getMessage());
        }
        JsonValue value = parsed.value();
        if (!(value instanceof JsonObject)) {
            throw new UndecodableMessageException(Reason.MALFORMED_JSON,
                    "message body is a JSON " + value.getValueType().name().toLowerCase(Locale.ROOT) + "; expected a CloudEvents JSON object");
        }
        return parsed;
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNumber() + ", column " + location.getColumnNumber() + ")";
    }

    private static String requiredString(JsonObject json, String name, Reason reason) throws UndecodableMessageException {
        JsonValue value = json.get(name);
        if (value instanceof JsonString s && !s.getString().isBlank()) {
            return s.getString();
        }
        throw new UndecodableMessageException(reason, value == null || value == JsonValue.NULL
                ? name + " is missing"
                : name + " must be a non-blank string");
    }

    private static String optionalString(JsonObject json, String name) throws UndecodableMessageException {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonString s) {
            return s.getString();
        }
        throw new UndecodableMessageException(Reason.MALFORMED_JSON, name + " must be a string, was a JSON "
                + value.getValueType().name().toLowerCase(Locale.ROOT));
    }

    private static Instant readTime(JsonObject json) throws UndecodableMessageException {
        String time = optionalString(json, "time");
        if (time == null) {
            return null;
        }
        try {
            return Rfc3339.parse(time);
        } catch (DateTimeException e) {
            throw new UndecodableMessageException(Reason.MALFORMED_JSON, "time must be an RFC 3339 timestamp such as"
                    + " 2026-11-26T08:00:00.123Z: with seconds, an offset Z or +hh:mm within +-18:00, no leap second");
        }
    }

    /**
     * Accepts a JSON integer (any notation whose value is integral: {@code 17}, {@code 1.0}, {@code 1e2}), or its
     * decimal text as a string, as in the CloudEvents "sequence" extension: an optional {@code -}, then ASCII digits,
     * leading zeros allowed. Either way between -2^63 and 2^63-1.
     */
    private static Long readSequence(JsonObject json) throws UndecodableMessageException {
        JsonValue value = json.get("sequence");
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        try {
            if (value instanceof JsonNumber n) {
                return n.bigDecimalValue().longValueExact();
            }
            if (value instanceof JsonString s && isDecimalInteger(s.getString())) {
                return Long.parseLong(s.getString());
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // out of range: fall through
        }
        throw new UndecodableMessageException(Reason.MALFORMED_JSON, "sequence must be an integer between -2^63 and 2^63-1,"
                + " as a JSON number or as a string of ASCII digits with an optional leading minus sign");
    }

    /**
     * Whether the text is an optional {@code -} and one or more ASCII digits; {@link Long#parseLong} alone would also
     * take a {@code +} and the digits of other scripts (Arabic-Indic, fullwidth), which the wire format does not allow.
     */
    private static boolean isDecimalInteger(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ data

    /**
     * A failure of the type itself, not of the data: JSON-B cannot create an instance (no usable constructor). Its
     * message names the class, never a value, so it may be shown; any other JSON-B message might quote the payload.
     */
    private static Optional<String> typeProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("constructor")) {
                return Optional.of(WireText.escape(message, 400));
            }
        }
        return Optional.empty();
    }

    /**
     * Serializes message data with JSON-B.
     *
     * @param message the message (normally a public record)
     * @return its JSON text
     * @throws IllegalArgumentException if JSON-B cannot serialize it, for example because the type
     *                                  is not public
     */
    public String dataToJson(Object message) {
        Objects.requireNonNull(message, "message");
        Class<?> type = message.getClass();
        // Checked up front: Yasson fails only after writing part of the JSON, with a less helpful
        // message. (An enclosing class need not be public; the type itself must.)
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException("cannot serialize " + type.getName()
                    + " with JSON-B: make the type public (JSON-B cannot read the components of a non-public type)");
        }
        try {
            return jsonb.toJson(message);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot serialize " + type.getName() + " with JSON-B: " + e.getMessage(), e);
        }
    }

    /**
     * Deserializes message data with JSON-B into a type the caller resolved through its
     * allow-list.
     *
     * @param dataJson the data as JSON text, as in {@link CloudEvent#dataJson()}
     * @param type     the Java type registered for the message's logical type
     * @param <T>      the Java type
     * @return the message, never {@code null}
     * @throws UndecodableMessageException with {@link Reason#SCHEMA_MISMATCH} if the data does not
     *                                     map onto {@code type}
     */
    public <T> T dataFromJson(String dataJson, Class<T> type) throws UndecodableMessageException {
        Objects.requireNonNull(dataJson, "dataJson");
        Objects.requireNonNull(type, "type");
        T value;
        try {
            value = jsonb.fromJson(dataJson, type);
        } catch (RuntimeException e) {
            // JSON-B messages can quote values from the payload, so the cause is neither chained
            // nor put in the message; it is logged at DEBUG for whoever needs to look.
            LOG.log(System.Logger.Level.DEBUG, () -> "JSON-B could not map data onto " + type.getName(), e);
            throw new UndecodableMessageException(Reason.SCHEMA_MISMATCH, typeProblem(e)
                    .map(problem -> "JSON-B cannot create " + type.getName() + " (" + problem + "); give it a public "
                            + "no-argument constructor or a @JsonbCreator, or make it a record")
                    .orElse("data does not match " + type.getName() + " (" + e.getClass().getSimpleName()
                    + "); check that producer and consumer agree on its fields and their JSON types"
                    + (Modifier.isPublic(type.getModifiers()) ? "" : ", and make the type public")));
        }
        if (value == null) {
            throw new UndecodableMessageException(Reason.SCHEMA_MISMATCH, "data is JSON null; expected " + type.getName());
        }
        return value;
    }
}
