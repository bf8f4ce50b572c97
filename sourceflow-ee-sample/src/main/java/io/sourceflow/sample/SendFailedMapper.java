package io.sourceflow.sample;

import io.sourceflow.SourceFlowException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A command that could not be sent (the queue is unreachable, AWS throttles, a route is misconfigured) is a
 * 503: the client may retry; the reason is logged, not returned.
 */
@Provider
public final class SendFailedMapper implements ExceptionMapper<SourceFlowException> {

    private static final System.Logger LOG = System.getLogger(SendFailedMapper.class.getName());

    @Override
    public Response toResponse(SourceFlowException exception) {
        LOG.log(System.Logger.Level.WARNING, () -> "command not sent: " + exception);
        Response problem = Problem.of(Response.Status.SERVICE_UNAVAILABLE,
                "The order could not be sent; try again later.").toResponse();
        return Response.fromResponse(problem).header("Retry-After", "5").build();
    }
}
