package io.sourceflow.spi;

import java.time.Instant;

/**
 * A stored outbox entry.
 *
 * @param id        the row's id: increasing in the order rows were stored, which is the order a FIFO group's rows are
 *                  relayed in
 * @param entry     the message
 * @param createdAt when it was stored
 * @param attempts  how many relays of it have failed so far
 */
public record OutboxRow(long id, OutboxEntry entry, Instant createdAt, int attempts) {
}
