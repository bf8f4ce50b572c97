package io.sourceflow;

/**
 * A command without a route was sent, but no bean in this deployment handles it. Either add a
 * {@link Handles} method for it, or route it to a queue with {@link SendTo} or
 * {@code sourceflow.routes.commands.<LogicalType>}.
 */
public class NoHandlerException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the given message type. */
    public NoHandlerException(String message) {
        super(message);
    }
}
