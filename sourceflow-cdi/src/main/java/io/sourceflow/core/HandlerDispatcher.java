package io.sourceflow.core;

import io.sourceflow.MessageContext;
import io.sourceflow.SourceFlowException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs handlers, whether the message came from in-process or from a queue: activates the request
 * context around the handler, holds back the events the handler raises, and releases them only when the
 * handler completed normally (a failing handler's events are discarded). The returned stage completes
 * when the handler and the publication of its events both succeeded.
 */
@Singleton
public final class HandlerDispatcher {

    private static final System.Logger LOG = System.getLogger(HandlerDispatcher.class.getName());

    private final RequestContextRunner requestContext;
    private final HeldMessageRelease release;
    private final ThreadLocal<Deque<HandlerFrame>> frames = ThreadLocal.withInitial(ArrayDeque::new);

    @Inject
    HandlerDispatcher(RequestContextRunner requestContext, HeldMessageRelease release) {
        this.requestContext = requestContext;
        this.release = release;
    }

    /** Runs one handler for one message. Never throws: failures complete the stage exceptionally. */
    public CompletionStage<Void> dispatch(HandlerInvoker handler, Object message, MessageContext context) {
        HandlerFrame raised = new HandlerFrame(context.messageId(), handler.description());
        MessageContext handlerContext = new HandlerContext(context, work -> runIn(raised, work));
        CompletionStage<?> outcome;
        try {
            outcome = requestContext.call(() -> invoke(handler, message, handlerContext, raised));
        } catch (RuntimeException e) {
            // the request context itself failed (activating or destroying it): the handler's outcome is unknown
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.handle((ignored, failure) -> failure)
                .thenCompose(failure -> {
                    if (failure != null) {
                        discard(raised.close(), handler, failure);
                        return CompletableFuture.<Void>failedFuture(failure);
                    }
                    return release(raised.close());
                });
    }

    /**
     * Runs every handler of a message, each as {@link #dispatch} does, in the given order, all of them even if one
     * fails; an asynchronous handler's work may overlap the next ones. The stage completes when all have completed:
     * normally if all succeeded, else with the failure of the first failing handler in that order, the others added
     * to it as suppressed. Never throws. The one rule for in-process events and messages from a queue alike.
     */
    public CompletionStage<Void> dispatchAll(List<HandlerInvoker> handlers, Object message, MessageContext context) {
        if (handlers.size() == 1) {
            return dispatch(handlers.get(0), message, context);
        }
        List<CompletableFuture<Void>> outcomes = new ArrayList<>(handlers.size());
        for (HandlerInvoker handler : handlers) {
            outcomes.add(dispatch(handler, message, context).toCompletableFuture());
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).handle((ignored, any) -> {
            Throwable first = null;
            for (CompletableFuture<Void> outcome : outcomes) {
                Throwable failure = outcome.handle((v, e) -> e).join();
                if (failure == null) {
                    continue;
                }
                failure = Completions.unwrap(failure);
                if (first == null) {
                    first = failure;
                } else if (failure != first) {
                    first.addSuppressed(failure);
                }
            }
            if (first != null) {
                throw first instanceof CompletionException ce ? ce : new CompletionException(first);
            }
            return null;
        });
    }

    /** Invokes the handler with {@code raised} collecting the events it raises; never throws. */
    private CompletionStage<?> invoke(HandlerInvoker handler, Object message, MessageContext context, HandlerFrame raised) {
        Deque<HandlerFrame> stack = frames.get();
        stack.push(raised);
        try {
            return handler.invoke(message, context);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        } finally {
            leave(stack);
        }
    }

    /** Runs work on the calling thread with what it sends held in {@code frame}. */
    private void runIn(HandlerFrame frame, Runnable work) {
        Deque<HandlerFrame> stack = frames.get();
        stack.push(frame);
        try {
            work.run();
        } finally {
            leave(stack);
        }
    }

    private void leave(Deque<HandlerFrame> stack) {
        stack.pop();
        if (stack.isEmpty()) {
            frames.remove();
        }
    }

    /**
     * Holds a message back if the calling thread is running a handler: an event, or a command routed to a queue. It
     * leaves when the handler succeeded, with an id derived from the handled message's (see {@link HandlerFrame}). The stage
     * returned to the caller completes at once, when the message is held: the handler may return it (or wait for it),
     * and waiting for the send itself would wait for the handler's own end. Whether the message was then accepted
     * decides the handled message's outcome: if it cannot be sent, the handled message is retried.
     *
     * @return a completed stage once the message is held, or {@code null} when no handler runs on this thread
     */
    public CompletableFuture<Void> holdIfInHandler(Object message) {
        Deque<HandlerFrame> stack = frames.get();
        if (stack.isEmpty()) {
            frames.remove();
            return null;
        }
        stack.peek().hold(message);
        return CompletableFuture.completedFuture(null);
    }

    private CompletionStage<Void> release(List<HandlerFrame.Held> raised) {
        if (raised.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[raised.size()];
        for (int i = 0; i < raised.size(); i++) {
            HandlerFrame.Held pending = raised.get(i);
            CompletionStage<Void> published;
            try {
                published = release.sendNow(pending.message(), pending.messageId());
            } catch (RuntimeException e) {
                published = CompletableFuture.failedFuture(e);
            }
            published.whenComplete((v, e) -> {
                if (e != null) {
                    pending.accepted().completeExceptionally(e);
                } else {
                    pending.accepted().complete(null);
                }
            });
            all[i] = pending.accepted();
        }
        return CompletableFuture.allOf(all);
    }

    private static void discard(List<HandlerFrame.Held> raised, HandlerInvoker handler, Throwable failure) {
        if (raised.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "Discarding " + raised.size() + " message(s) sent by "
                + handler.description() + " because it failed");
        for (HandlerFrame.Held pending : raised) {
            pending.accepted().completeExceptionally(new SourceFlowException("Message "
                    + pending.message().getClass().getSimpleName() + " was discarded because its handler "
                    + handler.description() + " failed", failure));
        }
    }
}
