package io.sourceflow.wire;

import java.time.Instant;
import java.util.Map;

/**
 * One message on the wire: the attributes of a CloudEvents 1.0 event plus the SourceFlow
 * extensions, with the data kept as JSON text so that it can be passed through (or replaced by an
 * encryption envelope) without being bound to a Java type.
 *
 * @param id              message id, stable across producer retries and redeliveries; required
 * @param type            logical type name from the deployment's allow-list (never a Java class
 *                        name); required
 * @param source          URI-reference of the producer; required
 * @param time            when the message was created, or {@code null}; must lie in years
 *                        0000-9999 so that it can be written as RFC 3339
 * @param subject         the entity key (FIFO message group), or {@code null}
 * @param dataContentType media type of {@code data}; {@code null} or blank means
 *                        {@value #JSON_CONTENT_TYPE}
 * @param sequence        producer-assigned sequence number, or {@code null}
 * @param traceparent     W3C trace context {@code traceparent}, or {@code null}
 * @param tracestate      W3C trace context {@code tracestate}, or {@code null}
 * @param dataJson        the data as one well-formed JSON value (normally an object); required.
 *                        {@link CloudEventCodec#write} splices it in without re-validating it
 * @param extensions      the other CloudEvents extension attributes of a received event (set by a foreign producer,
 *                        e.g. a tenant or correlation id), as text; SourceFlow writes none of its own here
 */
public record CloudEvent(
        String id,
        String type,
        String source,
        Instant time,
        String subject,
        String dataContentType,
        Long sequence,
        String traceparent,
        String tracestate,
        String dataJson,
        Map<String, String> extensions) {

    /** The default (and, in wire format 1, the usual) {@code datacontenttype}. */
    public static final String JSON_CONTENT_TYPE = "application/json";

    private static final Instant MIN_TIME = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /** Validates the required fields; see the record description. */
    public CloudEvent {
        requireNonBlank(id, "id");
        requireNonBlank(type, "type");
        requireNonBlank(source, "source");
        if (dataJson == null || dataJson.isBlank()) {
            throw new IllegalArgumentException(
                    "dataJson is required: pass the message data as JSON text (e.g. from CloudEventCodec.dataToJson)");
        }
        if (time != null && (time.isBefore(MIN_TIME) || time.isAfter(MAX_TIME))) {
            throw new IllegalArgumentException("time must lie in years 0000-9999 to be written as RFC 3339, was " + time);
        }
        if (dataContentType == null || dataContentType.isBlank()) {
            dataContentType = JSON_CONTENT_TYPE;
        }
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    /** An event without foreign extension attributes (what SourceFlow sends). */
    public CloudEvent(String id, String type, String source, Instant time, String subject, String dataContentType,
                      Long sequence, String traceparent, String tracestate, String dataJson) {
        this(id, type, source, time, subject, dataContentType, sequence, traceparent, tracestate, dataJson, Map.of());
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required and must not be blank");
        }
    }
}
