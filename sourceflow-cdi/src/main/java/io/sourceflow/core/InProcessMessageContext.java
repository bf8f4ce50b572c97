package io.sourceflow.core;

import io.sourceflow.MessageContext;

import java.time.Instant;
import java.util.Optional;

/** The {@link MessageContext} of a message delivered inside the deployment. */
record InProcessMessageContext(String messageId, String messageType, Optional<String> entityKey,
                               Instant sentAt) implements MessageContext {

    static final String DESTINATION = "in-process";

    @Override
    public int receiveCount() {
        return 1;
    }

    @Override
    public String destination() {
        return DESTINATION;
    }
}
