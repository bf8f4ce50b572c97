package io.sourceflow;

/**
 * Base of the exceptions SourceFlow throws. Each message names what went wrong (the type, the queue,
 * the configuration key, the limit) and what to do about it.
 */
public class SourceFlowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what went wrong. */
    public SourceFlowException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public SourceFlowException(String message, Throwable cause) {
        super(message, cause);
    }
}
