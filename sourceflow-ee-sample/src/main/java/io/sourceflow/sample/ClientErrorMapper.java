package io.sourceflow.sample;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Errors the REST runtime raises with a status (404, 405, 406, 415, ...) become problem answers with that status,
 * keeping the headers of the runtime's answer ({@code Allow} on a 405). The detail is the sample's, not the runtime's
 * message.
 */
@Provider
public final class ClientErrorMapper implements ExceptionMapper<WebApplicationException> {

    /** Headers of the runtime's answer that describe its body, which the problem replaces. */
    private static final Set<String> BODY_HEADERS = Set.of("content-type", "content-length", "content-encoding",
            "content-language", "transfer-encoding");

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response original = exception.getResponse();
        Response.StatusType status = original.getStatusInfo();
        if (status.getFamily() == Response.Status.Family.SERVER_ERROR) {
            return UnexpectedErrorMapper.internalError(exception);
        }
        if (status.getFamily() != Response.Status.Family.CLIENT_ERROR) {
            return original; // a redirection: not an error
        }
        Response.ResponseBuilder answer = Response.fromResponse(Problem.of(status, detail(original)).toResponse());
        original.getStringHeaders().forEach((name, values) -> {
            if (!BODY_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                answer.header(name, null);
                values.forEach(value -> answer.header(name, value));
            }
        });
        return answer.build();
    }

    private static String detail(Response original) {
        return switch (original.getStatus()) {
            case 404 -> "There is no resource at this path; the API is POST /api/orders and GET /api/orders/{id}.";
            case 405 -> original.getAllowedMethods().isEmpty()
                    ? "This resource does not support the request's method."
                    : "This resource does not support the request's method; it allows "
                    + String.join(", ", new TreeSet<>(original.getAllowedMethods())) + " (the Allow header).";
            case 406 -> "The resource cannot answer in a media type that the Accept header allows; it answers "
                    + "application/json.";
            case 415 -> "The request's Content-Type is not supported; send application/json.";
            case 400 -> "The request is not valid for this resource.";
            default -> original.getStatusInfo().getReasonPhrase() + ".";
        };
    }
}
