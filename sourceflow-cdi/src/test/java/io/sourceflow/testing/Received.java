package io.sourceflow.testing;

import io.sourceflow.MessageContext;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/** A test bean that handlers report to: what was handled, with its context, in order. */
@Singleton
public class Received {

    /** One handled message. */
    public record Entry(String handler, Object message, MessageContext context) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    public void add(String handler, Object message, MessageContext context) {
        entries.add(new Entry(handler, message, context));
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public List<Object> messages() {
        return entries.stream().map(Entry::message).toList();
    }

    /** Waits (bounded) until at least {@code count} messages were handled. */
    public List<Entry> awaitCount(int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> entries.size() >= count);
        return entries();
    }
}
