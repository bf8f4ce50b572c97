package io.sourceflow.core;

import io.sourceflow.MessageContext;

import java.lang.invoke.MethodHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Calls one {@link io.sourceflow.Handles} method on its bean. The method handle is built once at
 * deployment; a normal-scoped bean's client proxy is looked up once and reused, a {@code @Dependent}
 * bean is created per message and destroyed when its handler completes.
 */
public final class HandlerInvoker {

    private final HandlerBean bean;
    private final MethodHandle handle;
    private final boolean async;
    private final String description;
    private final Class<?> messageType;
    private volatile Object sharedReference;

    HandlerInvoker(HandlerBean bean, MethodHandle handle, boolean async, String description, Class<?> messageType) {
        this.bean = bean;
        this.handle = handle;
        this.async = async;
        this.description = description;
        this.messageType = messageType;
    }

    /** The handler as {@code com.acme.OrderSaga.on(PlaceOrder)}, for logs and errors. */
    public String description() {
        return description;
    }

    /** Whether the handler returns a {@code CompletionStage} (its work may go on after {@code invoke} returned). */
    public boolean isAsync() {
        return async;
    }

    /** The message type the handler takes. */
    public Class<?> messageType() {
        return messageType;
    }

    /**
     * Runs the handler on the calling thread. Returns the handler's stage (async handlers) or a completed
     * stage; an exception thrown by the handler is thrown from here.
     */
    CompletionStage<?> invoke(Object message, MessageContext context) throws Throwable {
        if (bean.shared()) {
            Object reference = sharedReference;
            if (reference == null) {
                reference = bean.reference().instance();
                sharedReference = reference;
            }
            return result(handle.invokeExact(reference, message, context));
        }
        HandlerBean.Reference reference = bean.reference();
        CompletionStage<?> stage;
        try {
            stage = result(handle.invokeExact(reference.instance(), message, context));
        } catch (Throwable t) {
            reference.release();
            throw t;
        }
        return stage.whenComplete((ignored, error) -> reference.release());
    }

    private CompletionStage<?> result(Object returned) {
        if (!async) {
            return CompletableFuture.completedFuture(null);
        }
        if (returned == null) {
            throw new IllegalStateException(description + " returned a null CompletionStage; return a completed stage instead");
        }
        return (CompletionStage<?>) returned;
    }
}
