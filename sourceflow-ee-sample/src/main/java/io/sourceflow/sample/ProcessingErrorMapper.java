package io.sourceflow.sample;

import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The REST runtime wraps a body reader's failure in a {@link ProcessingException}: when the cause is a JSON
 * error it is the client's (400), anything else is ours (500).
 */
@Provider
public final class ProcessingErrorMapper implements ExceptionMapper<ProcessingException> {

    @Override
    public Response toResponse(ProcessingException exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof JsonbException || t instanceof JsonException) {
                return Problems.of(Response.Status.BAD_REQUEST, "Malformed JSON",
                        "The request body is not valid JSON for this resource.");
            }
        }
        return UnexpectedErrorMapper.internalError(exception);
    }
}
