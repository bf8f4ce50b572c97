package io.sourceflow;

/**
 * A message type is declared wrongly: it is neither a {@link Command} nor an {@link Event}, has a blank
 * route, two {@link EntityKey}s, a FIFO route without an entity key, or a logical name another type
 * already uses. Types handled in the deployment are checked at deployment; types that are only sent are
 * checked at their first send.
 */
public class InvalidMessageTypeException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; the message names the type and the rule it breaks. */
    public InvalidMessageTypeException(String message) {
        super(message);
    }
}
