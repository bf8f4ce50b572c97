package io.sourceflow.aws.outbound;

import io.sourceflow.aws.OutboundMessage;

import java.util.List;

/**
 * The messages waiting for one destination, in the order they may leave: {@link StandardPendingSends} in submit order,
 * {@link FifoPendingSends} one message per message group at a time. Not thread-safe: its batcher's monitor guards it.
 */
interface PendingSends {

    void add(OutboundMessage message);

    /** Messages that may go into the next batch now (at most one per FIFO group). */
    int sendable();

    boolean isEmpty();

    /** Takes the next batch: at most 10 messages and {@code maxBytes} (a single larger message goes alone). */
    List<OutboundMessage> takeBatch(int maxBytes);

    /** The service accepted or finally rejected these messages of a batch: their groups may send again. */
    void settled(List<OutboundMessage> messages);

    /** These messages of a batch are sent again: they go first, ahead of everything of their group. */
    void retry(List<OutboundMessage> messages);

    /** Takes everything still waiting (to fail it at stop). */
    List<OutboundMessage> removeAll();
}
