package io.sourceflow.core;

import java.util.Optional;

/**
 * What SourceFlow knows about one message type, computed once per type.
 *
 * @param type the Java type
 * @param logicalName the name on the wire and in configuration
 * @param kind command or event
 * @param entityKey reads the entity key, when the type has one
 * @param route where the type is sent, when it is routed
 */
public record MessageDescriptor(Class<?> type, String logicalName, MessageKind kind,
                                Optional<EntityKeyReader> entityKey, Optional<Route> route) {

    /** The entity key of a message of this type, if the type has one and it is not null. */
    public Optional<String> entityKeyOf(Object message) {
        return entityKey.flatMap(reader -> reader.read(message));
    }

    /** A short description for error messages: {@code PlaceOrder (com.acme.PlaceOrder)}. */
    public String describe() {
        return logicalName + " (" + type.getName() + ")";
    }
}
