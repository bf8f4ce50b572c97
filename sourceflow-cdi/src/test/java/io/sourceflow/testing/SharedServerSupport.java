package io.sourceflow.testing;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one server per test JVM, keeps it in the root {@link ExtensionContext.Store} (closed
 * when the JVM's test run ends) and applies the availability rule: on CI ({@code CI=true}) a
 * server that cannot start fails the test; elsewhere the test is skipped with the reason.
 */
final class SharedServerSupport {

    private SharedServerSupport() {
    }

    /** Holds the started server or the reason it could not start; started once, closed once. */
    static final class Holder<T extends AutoCloseable>
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final T server;
        private final RuntimeException failure;
        private boolean closed;

        Holder(Supplier<T> starter) {
            T started = null;
            RuntimeException failed = null;
            try {
                started = starter.get();
            } catch (RuntimeException e) {
                failed = e;
                // Once per JVM, so a skipped run says why even when the report is not read.
                System.getLogger(SharedServerSupport.class.getName())
                        .log(System.Logger.Level.WARNING, "Tests needing it are skipped (or fail on CI): " + e.getMessage());
            }
            this.server = started;
            this.failure = failed;
        }

        @Override
        public synchronized void close() throws Exception {
            if (!closed && server != null) {
                closed = true;
                server.close();
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends AutoCloseable> T shared(ExtensionContext context, Class<T> type, Supplier<T> starter,
            String what) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(type));
        Holder<T> holder = store.getOrComputeIfAbsent(type, k -> new Holder<>(starter), Holder.class);
        if (holder.server != null) {
            return holder.server;
        }
        String reason = what + " is not available: " + holder.failure.getMessage();
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(reason + " (CI=true: tests that need it fail instead of being skipped)",
                    holder.failure);
        }
        Assumptions.abort(reason + " (skipped; set CI=true to fail instead)");
        throw new AssertionError("unreachable");
    }
}
