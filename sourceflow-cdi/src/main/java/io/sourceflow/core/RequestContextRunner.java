package io.sourceflow.core;

import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Singleton;

import java.util.function.Supplier;

/**
 * Runs work inside an active request context, through the container's built-in
 * {@link ActivateRequestContext} interceptor: when the calling thread has no active request context, one is
 * activated for the work and destroyed after it (request-scoped beans see their {@code @PreDestroy}); when it has one
 * (a handler called in-process from a REST request), the work joins it. Internal to SourceFlow.
 *
 * <p>Not final and not private: the container subclasses it to intercept {@link #call}. It replaces a
 * {@code RequestContextController} looked up and destroyed for every message, which cost more than the rest of the
 * dispatch.
 */
@Singleton
public class RequestContextRunner {

    /** For the container. */
    protected RequestContextRunner() {
    }

    /**
     * @param work what to run; its exceptions pass through
     * @param <T>  the result type
     * @return what the work returned
     */
    @ActivateRequestContext
    public <T> T call(Supplier<T> work) {
        return work.get();
    }
}
