package io.sourceflow.sample;

import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A request body that JSON-B cannot read (malformed JSON, a string where a number belongs) is a 400. */
@Provider
public final class JsonInputMapper implements ExceptionMapper<JsonbException> {

    @Override
    public Response toResponse(JsonbException exception) {
        return Problems.of(Response.Status.BAD_REQUEST, "Malformed JSON",
                "The request body is not valid JSON for this resource.");
    }
}
