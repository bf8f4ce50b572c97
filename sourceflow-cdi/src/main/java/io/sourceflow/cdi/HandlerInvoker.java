package io.sourceflow.cdi;

import io.sourceflow.MessageContext;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;

import java.lang.invoke.MethodHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Calls one {@link io.sourceflow.Handles} method on its bean. The method handle is built once at
 * deployment; a normal-scoped bean's client proxy is looked up once and reused, a {@code @Dependent}
 * bean is created per message and destroyed when its handler completes.
 */
public final class HandlerInvoker {

    private final Bean<?> bean;
    private final BeanManager beanManager;
    private final MethodHandle handle;
    private final boolean async;
    private final String description;
    private final Class<?> messageType;
    private volatile Object sharedReference;

    HandlerInvoker(Bean<?> bean, BeanManager beanManager, MethodHandle handle, boolean async, String description,
                   Class<?> messageType) {
        this.bean = bean;
        this.beanManager = beanManager;
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
        boolean dependent = !beanManager.isNormalScope(bean.getScope());
        if (!dependent) {
            Object reference = sharedReference;
            if (reference == null) {
                reference = beanManager.getReference(bean, Object.class, beanManager.createCreationalContext(bean));
                sharedReference = reference;
            }
            return result(handle.invokeExact(reference, message, context));
        }
        CreationalContext<?> creationalContext = beanManager.createCreationalContext(bean);
        Object instance = beanManager.getReference(bean, Object.class, creationalContext);
        CompletionStage<?> stage;
        try {
            stage = result(handle.invokeExact(instance, message, context));
        } catch (Throwable t) {
            creationalContext.release();
            throw t;
        }
        return stage.whenComplete((ignored, error) -> creationalContext.release());
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
