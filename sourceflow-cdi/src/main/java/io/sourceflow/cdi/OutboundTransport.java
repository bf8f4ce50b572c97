package io.sourceflow.cdi;

import java.util.concurrent.CompletionStage;

/**
 * Sends routed messages out of the deployment (the AWS transport implements it). The stage completes
 * when the destination accepted the message.
 */
public interface OutboundTransport {

    /** Sends one message of a routed type to its route. */
    CompletionStage<Void> send(MessageDescriptor descriptor, Object message);
}
