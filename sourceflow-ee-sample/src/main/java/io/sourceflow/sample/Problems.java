package io.sourceflow.sample;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/** Builds RFC 9457 problem responses ({@code application/problem+json}); never includes a stack trace. */
final class Problems {

    /** The problem media type. */
    static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** A problem response with the given status, title and detail. */
    static Response of(Response.StatusType status, String title, String detail) {
        return of(status, title, detail, Map.of());
    }

    /** A problem response with invalid fields (name to message) as {@code "errors"}. */
    static Response of(Response.StatusType status, String title, String detail, Map<String, String> errors) {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", title)
                .add("status", status.getStatusCode());
        if (detail != null && !detail.isBlank()) {
            body.add("detail", detail);
        }
        if (!errors.isEmpty()) {
            JsonArrayBuilder list = Json.createArrayBuilder();
            errors.forEach((field, message) -> list.add(Json.createObjectBuilder().add("field", field).add("message", message)));
            body.add("errors", list);
        }
        return Response.status(status).type(MEDIA_TYPE).entity(body.build().toString()).build();
    }
}
