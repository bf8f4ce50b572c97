package io.sourceflow.core;

/**
 * Where a routed message type goes: a queue (commands) or a topic (events), by short name, URL or ARN.
 *
 * @param destination the queue short name or URL, or the topic short name or ARN
 * @param fifo whether the destination is FIFO (its name ends in {@code .fifo})
 * @param fromConfiguration whether configuration set it (instead of the annotation)
 */
public record Route(String destination, boolean fifo, boolean fromConfiguration) {

    /** Creates a route, deriving FIFO from the name. */
    public static Route of(String destination, boolean fromConfiguration) {
        String trimmed = destination.trim();
        return new Route(trimmed, trimmed.endsWith(".fifo"), fromConfiguration);
    }
}
