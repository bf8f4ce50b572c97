package io.sourceflow.sample;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One of the sample's RFC 9457 problem answers ({@code application/problem+json}), all of one shape: {@code type},
 * {@code title}, {@code status}, {@code detail}, and, when fields of the request are wrong, {@code errors}: a list of
 * {@code {"field": ..., "message": ...}}. Never includes a stack trace or an exception's message.
 *
 * <p>Every client error (4xx) is logged at {@code FINE} ({@link System.Logger.Level#DEBUG}) by the logger
 * {@code io.sourceflow.sample.Problem} when it is answered: a client's mistake is not the server's warning. Server
 * errors (5xx) are logged by their mappers at WARNING or ERROR.
 *
 * @param status the HTTP status
 * @param type   the problem type: {@link #ABOUT_BLANK}, {@link #MALFORMED_JSON} or {@link #INVALID_REQUEST}
 * @param title  the type's title; for {@code about:blank}, the status's reason phrase
 * @param detail what was wrong with this request, and what to send instead
 * @param errors the invalid fields, by name, with what is wrong with each; empty if none
 */
record Problem(int status, String type, String title, String detail, Map<String, String> errors) {

    /** The problem media type. */
    static final String MEDIA_TYPE = "application/problem+json";

    /** Type of HTTP-level problems (404, 405, 406, 413, 415, 5xx): the title is the status's reason phrase. */
    static final String ABOUT_BLANK = "about:blank";

    /** Type of a request body that is not exactly one well-formed JSON object (empty, syntax error, trailing content). */
    static final String MALFORMED_JSON = "tag:sourceflow.io,2025:sample/malformed-json";

    /**
     * Type of a request that is well-formed JSON but not acceptable: a wrong JSON type, a duplicate or unknown member,
     * a value out of range, an invalid order id; {@code errors} names each field.
     */
    static final String INVALID_REQUEST = "tag:sourceflow.io,2025:sample/invalid-request";

    private static final System.Logger LOG = System.getLogger(Problem.class.getName());

    Problem {
        errors = Map.copyOf(errors);
    }

    /** An {@code about:blank} problem: the title is the reason phrase of {@code status}. */
    static Problem of(Response.StatusType status, String detail) {
        return new Problem(status.getStatusCode(), ABOUT_BLANK, status.getReasonPhrase(), detail, Map.of());
    }

    /** 400 {@link #MALFORMED_JSON}. */
    static Problem malformedJson(String detail) {
        return new Problem(400, MALFORMED_JSON, "Malformed JSON", detail, Map.of());
    }

    /** 400 {@link #INVALID_REQUEST} with the invalid fields (name to message); listed by name. */
    static Problem invalidRequest(Map<String, String> errors) {
        return new Problem(400, INVALID_REQUEST, "Invalid request",
                "The request has invalid fields: " + String.join(", ", new TreeSet<>(errors.keySet())) + ".",
                errors);
    }

    /** 404 ({@code about:blank}). */
    static Problem notFound(String detail) {
        return new Problem(404, ABOUT_BLANK, "Not Found", detail, Map.of());
    }

    /** 413 ({@code about:blank}): the body is larger than {@code limit} bytes. */
    static Problem contentTooLarge(long limit) {
        return new Problem(413, ABOUT_BLANK, "Content Too Large", "The request body is larger than " + limit
                + " bytes, the most this service reads.", Map.of());
    }

    /** Whether this is a client error (4xx). */
    boolean clientError() {
        return status >= 400 && status < 500;
    }

    /**
     * The JAX-RS answer; logs the problem at FINE if it is a client error. A 413 closes the connection: the rest of
     * the body is not read, and the server should not wait for it to keep the connection.
     */
    Response toResponse() {
        logIfClientError();
        Response.ResponseBuilder answer = Response.status(status).type(MEDIA_TYPE).entity(toJson());
        if (status == 413) {
            answer.header("Connection", "close");
        }
        return answer.build();
    }

    /** Logs this problem at FINE if it is a client error. */
    void logIfClientError() {
        if (clientError()) {
            LOG.log(System.Logger.Level.DEBUG, () -> "answered " + this);
        }
    }

    /** The problem's JSON text. */
    String toJson() {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("type", type)
                .add("title", title)
                .add("status", status);
        if (detail != null && !detail.isBlank()) {
            body.add("detail", detail);
        }
        if (!errors.isEmpty()) {
            JsonArrayBuilder list = Json.createArrayBuilder();
            new TreeMap<>(errors).forEach((field, message) ->
                    list.add(Json.createObjectBuilder().add("field", field).add("message", message)));
            body.add("errors", list);
        }
        return body.build().toString();
    }

    @Override
    public String toString() {
        return status + " " + title + ": " + detail + (errors.isEmpty() ? "" : " " + new TreeMap<>(errors));
    }
}
