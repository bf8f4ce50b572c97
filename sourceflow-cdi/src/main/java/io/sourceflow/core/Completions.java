package io.sourceflow.core;

import io.sourceflow.HandlerFailedException;
import io.sourceflow.SourceFlowException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Waits for a stage on behalf of the blocking API and rethrows its failure as the caller expects; unwraps failures. */
public final class Completions {

    private Completions() {
    }

    static void await(CompletionStage<?> stage, String what) {
        try {
            stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceFlowException("Interrupted while waiting for " + what, e);
        } catch (ExecutionException | CompletionException e) {
            throw rethrowable(e.getCause(), what);
        } catch (CancellationException e) {
            throw new SourceFlowException(what + " was cancelled", e);
        }
    }

    /** The failure inside any {@link CompletionException} / {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable failure) {
        while ((failure instanceof CompletionException || failure instanceof ExecutionException) && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    static RuntimeException rethrowable(Throwable cause, String what) {
        cause = unwrap(cause);
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new HandlerFailedException(what + " failed: " + cause, cause);
    }
}
