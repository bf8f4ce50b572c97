package io.sourceflow.sample;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * The cap on request bodies: {@value #MAX_BODY_BYTES} bytes (64 KiB; an order is a few dozen). A request that
 * declares a longer body ({@code Content-Length}) is answered 413 before anything reads it; a body without a length
 * (chunked) is read only up to the cap, by {@link OrderRequestReader}, and answered 413 when it goes beyond. The cap
 * is the application's, so it holds on every server, whatever the server's own limits (WildFly's {@code max-post-size}
 * is 10 MB by default).
 */
@Provider
@PreMatching
public final class RequestSizeLimit implements ContainerRequestFilter {

    /** The largest request body the sample reads. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    @Override
    public void filter(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return;
        }
        long declared;
        try {
            declared = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return; // not a length; the server rejects such a request before it gets here
        }
        if (declared > MAX_BODY_BYTES) {
            request.abortWith(Problem.contentTooLarge(MAX_BODY_BYTES).toResponse());
        }
    }
}
