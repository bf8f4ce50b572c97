package io.sourceflow.sample;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Errors the REST runtime or the resources raise with a status (404, 405, 415, a body it cannot read)
 * become problem responses with that status.
 */
@Provider
public final class ClientErrorMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response.StatusType status = exception.getResponse().getStatusInfo();
        if (status.getFamily() == Response.Status.Family.SERVER_ERROR) {
            return UnexpectedErrorMapper.internalError(exception);
        }
        String detail = status.getStatusCode() == 400 ? "The request body is not valid JSON for this resource."
                : exception.getMessage();
        return Problems.of(status, status.getReasonPhrase(), detail);
    }
}
