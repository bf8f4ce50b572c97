package io.sourceflow.core;

import java.util.Map;
import java.util.Optional;

/** Looks up a route set in configuration: (kind, logical name) to destination. Configuration wins over annotations. */
@FunctionalInterface
public interface RouteOverrides {

    /** The configured destination of this logical type, if any. */
    Optional<String> find(MessageKind kind, String logicalName);

    /** Overrides from fixed maps only. */
    static RouteOverrides fromMaps(Map<String, String> commandRoutes, Map<String, String> eventRoutes) {
        Map<String, String> commands = Map.copyOf(commandRoutes);
        Map<String, String> events = Map.copyOf(eventRoutes);
        return (kind, name) -> Optional.ofNullable((kind == MessageKind.COMMAND ? commands : events).get(name));
    }

    /** These overrides, then {@code next} for what they do not set. */
    default RouteOverrides orElse(RouteOverrides next) {
        return (kind, name) -> find(kind, name).or(() -> next.find(kind, name));
    }
}
