package io.sourceflow.aws;

import jakarta.interceptor.Interceptor;

/**
 * The order of SourceFlow's observers of the application's stop ({@code @BeforeDestroyed(ApplicationScoped.class)}):
 * the listeners stop first and let running handlers finish, then what was sent and still waits in a batcher is
 * flushed, while the executors and clients are still there. Internal to SourceFlow.
 */
public final class StopOrder {

    /** The listeners stop (the default observer priority, so an application's own stop observers run alongside). */
    public static final int LISTENERS = Interceptor.Priority.APPLICATION + 500;
    /** The send batchers flush, after everything that may still send. */
    public static final int SENDERS = LISTENERS + 100;

    private StopOrder() {
    }
}
