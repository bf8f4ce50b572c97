package io.sourceflow;

/**
 * Marker for an event: a fact that happened, handled by any number of {@link Handles} methods.
 * Records and classes both work. Annotate the type with {@link RaiseTo} to publish it to an Amazon SNS
 * topic (fan-out to the subscribed queues); without a route it is delivered in-process to every
 * handler of this deployment.
 */
public interface Event {
}
