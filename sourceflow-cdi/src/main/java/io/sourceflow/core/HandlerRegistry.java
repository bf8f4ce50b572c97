package io.sourceflow.core;

import io.sourceflow.InvalidMessageTypeException;
import io.sourceflow.config.SourceFlowConfig;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deployment's immutable routing table, built once by {@link SourceFlowExtension}: the allow-list of
 * logical names (the only way a name from the wire becomes a Java type), the handlers of each type and
 * each type's route. Types that are only sent are described at their first send and cached.
 */
public final class HandlerRegistry {

    private final SourceFlowConfig config;
    private final Map<String, MessageDescriptor> handledByLogicalName;
    private final Map<Class<?>, HandlerInvoker> commandHandlers;
    private final Map<Class<?>, List<HandlerInvoker>> eventHandlers;
    private final MessageDescriptorFactory factory;
    private final ClassValue<MessageDescriptor> descriptors = new ClassValue<>() {
        @Override
        protected MessageDescriptor computeValue(Class<?> type) {
            return describeAndCheck(type);
        }
    };

    HandlerRegistry(SourceFlowConfig config, Map<String, MessageDescriptor> handledByLogicalName,
                    Map<Class<?>, HandlerInvoker> commandHandlers, Map<Class<?>, List<HandlerInvoker>> eventHandlers,
                    MessageDescriptorFactory factory) {
        this.config = config;
        this.handledByLogicalName = Map.copyOf(handledByLogicalName);
        this.commandHandlers = Map.copyOf(commandHandlers);
        this.eventHandlers = Map.copyOf(eventHandlers);
        this.factory = factory;
    }

    /** The validated configuration. */
    public SourceFlowConfig config() {
        return config;
    }

    /**
     * Describes a message type (cached per type).
     *
     * @throws InvalidMessageTypeException if the type breaks a declaration rule
     */
    public MessageDescriptor describe(Class<?> type) {
        return descriptors.get(type);
    }

    /** The handled type with this logical name: the allow-list for decoding messages from the wire. */
    public Optional<MessageDescriptor> byLogicalName(String logicalName) {
        return Optional.ofNullable(handledByLogicalName.get(logicalName));
    }

    /** Every message type this deployment handles. */
    public Collection<MessageDescriptor> handledTypes() {
        return handledByLogicalName.values();
    }

    /** The one handler of a command type in this deployment. */
    public Optional<HandlerInvoker> commandHandler(Class<?> type) {
        return Optional.ofNullable(commandHandlers.get(type));
    }

    /** The handlers of an event type in this deployment, in a stable order. */
    public List<HandlerInvoker> eventHandlers(Class<?> type) {
        return eventHandlers.getOrDefault(type, List.of());
    }

    private MessageDescriptor describeAndCheck(Class<?> type) {
        MessageDescriptor descriptor = factory.describe(type);
        MessageDescriptor handled = handledByLogicalName.get(descriptor.logicalName());
        if (handled != null && handled.type() != type) {
            throw new InvalidMessageTypeException("Logical type name '" + descriptor.logicalName() + "' is used by both "
                    + handled.type().getName() + " and " + type.getName() + "; give one of them another name with @MessageType");
        }
        return handled != null ? handled : descriptor;
    }
}
