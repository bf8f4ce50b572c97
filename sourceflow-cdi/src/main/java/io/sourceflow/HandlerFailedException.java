package io.sourceflow;

/**
 * Wraps a checked exception thrown by a handler, so that it can reach the caller of an in-process
 * {@link CommandBus#send} or {@link EventPublisher#raise}. Unchecked exceptions are rethrown as they are.
 */
public class HandlerFailedException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception naming the handler that failed. */
    public HandlerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
