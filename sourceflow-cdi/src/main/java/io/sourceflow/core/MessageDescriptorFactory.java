package io.sourceflow.core;

import io.sourceflow.Command;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.InvalidMessageTypeException;
import io.sourceflow.MessageType;
import io.sourceflow.RaiseTo;
import io.sourceflow.SendTo;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a message type's annotations (and the route overrides from configuration) into a
 * {@link MessageDescriptor}, checking every declaration rule. Reflection happens here, once per type.
 */
final class MessageDescriptorFactory {

    private static final Pattern LOGICAL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final RouteOverrides overrides;

    MessageDescriptorFactory(RouteOverrides overrides) {
        this.overrides = overrides;
    }

    MessageDescriptor describe(Class<?> type) {
        boolean command = Command.class.isAssignableFrom(type);
        boolean event = Event.class.isAssignableFrom(type);
        if (command && event) {
            throw new InvalidMessageTypeException(type.getName() + " implements both Command and Event; a message is one or the other");
        }
        if (!command && !event) {
            throw new InvalidMessageTypeException(type.getName() + " is neither a io.sourceflow.Command nor a io.sourceflow.Event; implement one of them");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new InvalidMessageTypeException(type.getName() + " is abstract; handlers and routes are declared on concrete message types");
        }
        MessageKind kind = command ? MessageKind.COMMAND : MessageKind.EVENT;
        String logicalName = logicalName(type);
        Optional<Route> route = route(type, kind, logicalName);
        Optional<EntityKeyReader> entityKey = entityKey(type);
        if (route.isPresent() && route.get().fifo() && entityKey.isEmpty()) {
            throw new InvalidMessageTypeException(type.getName() + " is routed to FIFO " + (command ? "queue " : "topic ")
                    + route.get().destination() + " but has no @EntityKey; FIFO message groups are keyed by entity: "
                    + "annotate the component that identifies the entity with @io.sourceflow.EntityKey");
        }
        return new MessageDescriptor(type, logicalName, kind, entityKey, route);
    }

    private static String logicalName(Class<?> type) {
        MessageType annotation = type.getAnnotation(MessageType.class);
        String name = annotation == null ? type.getSimpleName() : annotation.value().trim();
        if (!LOGICAL_NAME.matcher(name).matches()) {
            throw new InvalidMessageTypeException("@MessageType(\"" + name + "\") on " + type.getName()
                    + " is not a valid logical name: use 1-128 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    private Optional<Route> route(Class<?> type, MessageKind kind, String logicalName) {
        SendTo sendTo = type.getAnnotation(SendTo.class);
        RaiseTo raiseTo = type.getAnnotation(RaiseTo.class);
        if (kind == MessageKind.COMMAND && raiseTo != null) {
            throw new InvalidMessageTypeException("@RaiseTo on command " + type.getName() + ": commands go to queues, use @SendTo");
        }
        if (kind == MessageKind.EVENT && sendTo != null) {
            throw new InvalidMessageTypeException("@SendTo on event " + type.getName() + ": events go to topics, use @RaiseTo");
        }
        String configured = overrides.find(kind, logicalName).orElse(null);
        if (configured != null) {
            return Optional.of(Route.of(configured, true));
        }
        String annotated = kind == MessageKind.COMMAND ? (sendTo == null ? null : sendTo.value())
                : (raiseTo == null ? null : raiseTo.value());
        if (annotated == null) {
            return Optional.empty();
        }
        if (annotated.isBlank()) {
            throw new InvalidMessageTypeException((kind == MessageKind.COMMAND ? "@SendTo" : "@RaiseTo") + " on "
                    + type.getName() + " has a blank " + (kind == MessageKind.COMMAND ? "queue" : "topic")
                    + " name; give the name, or remove the annotation for in-process delivery");
        }
        return Optional.of(Route.of(annotated, false));
    }

    private static Optional<EntityKeyReader> entityKey(Class<?> type) {
        List<String> found = new ArrayList<>();
        EntityKeyReader reader = null;
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Set<String> accessorNames = new HashSet<>();
        try {
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    accessorNames.add(component.getName());
                    if (component.isAnnotationPresent(EntityKey.class)) {
                        Method accessor = component.getAccessor();
                        accessor.setAccessible(true);
                        reader = new EntityKeyReader(adapt(lookup.unreflect(accessor)), type.getSimpleName() + "." + component.getName());
                        found.add(component.getName());
                    }
                }
            } else {
                for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        if (field.isAnnotationPresent(EntityKey.class) && !Modifier.isStatic(field.getModifiers())) {
                            field.setAccessible(true);
                            reader = new EntityKeyReader(adapt(lookup.unreflectGetter(field)), type.getSimpleName() + "." + field.getName());
                            found.add(field.getName());
                        }
                    }
                }
            }
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Method method : c.getDeclaredMethods()) {
                    if (!method.isAnnotationPresent(EntityKey.class) || method.isSynthetic() || method.isBridge()
                            || (type.isRecord() && accessorNames.contains(method.getName()) && method.getParameterCount() == 0)) {
                        continue;
                    }
                    if (method.getParameterCount() != 0 || method.getReturnType() == void.class || Modifier.isStatic(method.getModifiers())) {
                        throw new InvalidMessageTypeException("@EntityKey on " + type.getName() + "." + method.getName()
                                + "(): an entity key method must be an instance method with no parameters that returns a value");
                    }
                    method.setAccessible(true);
                    reader = new EntityKeyReader(adapt(lookup.unreflect(method)), type.getSimpleName() + "." + method.getName() + "()");
                    found.add(method.getName() + "()");
                }
            }
        } catch (IllegalAccessException | RuntimeException e) {
            if (e instanceof InvalidMessageTypeException invalid) {
                throw invalid;
            }
            throw new InvalidMessageTypeException("Cannot read @EntityKey of " + type.getName() + ": " + e.getMessage());
        }
        if (found.size() > 1) {
            throw new InvalidMessageTypeException(type.getName() + " has " + found.size() + " @EntityKey members " + found
                    + "; a message belongs to one entity: keep one");
        }
        return Optional.ofNullable(reader);
    }

    private static MethodHandle adapt(MethodHandle handle) {
        return handle.asType(MethodType.methodType(Object.class, Object.class));
    }
}
