package io.sourceflow.aws;

import java.util.List;

/** Sends one batch (1 to 10 messages) to one destination and reports each entry's outcome. */
interface BatchSender {

    /** The largest batch payload the service accepts, in bytes. */
    int maxBatchBytes();

    /**
     * Sends the batch. Completes each message's {@code accepted} future, successfully or with the entry's
     * error; never throws.
     */
    void send(List<OutboundMessage> batch);
}
