package io.sourceflow.bench;

import io.sourceflow.Command;
import io.sourceflow.EntityKey;
import io.sourceflow.Handles;
import io.sourceflow.SendTo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** The message type, the handler and the request-counting bean of the benchmark deployments. */
public final class BenchBeans {

    private BenchBeans() {
    }

    /** The one shared counter of SourceFlow's clients (sender and consumer deployments alike). */
    static final RequestCounter SOURCEFLOW_REQUESTS = new RequestCounter();

    /**
     * A 1 KB command: the entity key is the FIFO group; {@code sentAtNanos} is {@link System#nanoTime()} when the
     * application handed it to the bus (sender and consumer share this JVM, so the clock is the same).
     */
    @SendTo("bench-commands")
    public record BenchCommand(@EntityKey String entity, long seq, long sentAtNanos, String payload) implements Command {
    }

    /** Does nothing but note that a message reached its handler, and when. */
    @ApplicationScoped
    public static class BenchHandler {
        void on(@Handles BenchCommand command) {
            Sink.handled(command.sentAtNanos());
        }
    }

    /** Adds {@link #SOURCEFLOW_REQUESTS} to every AWS client SourceFlow builds. */
    public static class Counting {
        @Produces
        @Singleton
        ExecutionInterceptor counter() {
            return SOURCEFLOW_REQUESTS;
        }
    }
}
