package io.sourceflow;

/**
 * Marker for a command: a request to change state, handled by exactly one {@link Handles} method in the
 * system. Records and classes both work. Annotate the type with {@link SendTo} to send it through an
 * Amazon SQS queue; without a route it is delivered in-process to the handler of this deployment.
 */
public interface Command {
}
