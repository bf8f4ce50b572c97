package io.sourceflow.cdi;

import io.sourceflow.HandlerFailedException;
import io.sourceflow.SourceFlowException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Waits for a stage on behalf of the blocking API and rethrows its failure as the caller expects. */
final class Completions {

    private Completions() {
    }

    static void await(CompletionStage<?> stage, String what) {
        if (stage instanceof CommitGate.AfterCommit pending) {
            // waiting would deadlock: the transaction commits only after the caller returns
            if (pending.isCompletedExceptionally()) {
                throw rethrowable(pending.handle((v, e) -> e).join(), what);
            }
            return;
        }
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

    static RuntimeException rethrowable(Throwable cause, String what) {
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new HandlerFailedException(what + " failed: " + cause, cause);
    }
}
