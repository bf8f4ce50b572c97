package io.sourceflow.sample;

import jakarta.json.JsonException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A request body that JSON-P cannot parse is a 400. */
@Provider
public final class JsonParsingMapper implements ExceptionMapper<JsonException> {

    @Override
    public Response toResponse(JsonException exception) {
        return Problems.of(Response.Status.BAD_REQUEST, "Malformed JSON",
                "The request body is not valid JSON for this resource.");
    }
}
