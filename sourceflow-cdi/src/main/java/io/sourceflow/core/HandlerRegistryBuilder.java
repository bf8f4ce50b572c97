package io.sourceflow.core;

import io.sourceflow.Command;
import io.sourceflow.Event;
import io.sourceflow.InvalidMessageTypeException;
import io.sourceflow.MessageContext;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.config.SourceFlowConfigReader;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Validates the {@link io.sourceflow.Handles} methods the container discovered and builds the one immutable
 * {@link HandlerRegistry}. Every mistake becomes a problem that names the class and method (or the configuration
 * key); the caller reports them all together. Reflection happens here, once per deployment.
 */
public final class HandlerRegistryBuilder {

    /** A handler method that passed the checks of {@link #add}. */
    private record HandlerMethod(HandlerBean bean, Method method, Class<?> messageType, boolean withContext,
                                 boolean async, String description) {
    }

    private final List<HandlerMethod> handlers = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * Checks one method that has {@link io.sourceflow.Handles} on a parameter and remembers it.
     *
     * @param handlesOnlyOnFirstParameter whether {@code @Handles} is on the first parameter and on no other
     */
    public void add(HandlerBean bean, Class<?> beanClass, Method method, boolean handlesOnlyOnFirstParameter) {
        String description = describe(beanClass, method);
        int before = problems.size();
        if (!handlesOnlyOnFirstParameter) {
            problems.add(description + ": @Handles must be on the first parameter, and only there");
        }
        if (Modifier.isStatic(method.getModifiers())) {
            problems.add(description + ": a handler must be an instance method, not static");
        }
        if (Modifier.isPrivate(method.getModifiers())) {
            problems.add(description + ": a handler must not be private (the container calls it through the bean's proxy); make it package-private or public");
        }
        Class<?>[] types = method.getParameterTypes();
        Class<?> messageType = types[0];
        if (!Command.class.isAssignableFrom(messageType) && !Event.class.isAssignableFrom(messageType)) {
            problems.add(description + ": @Handles parameter type " + messageType.getName()
                    + " is neither a io.sourceflow.Command nor a io.sourceflow.Event");
        }
        if (types.length > 2 || (types.length == 2 && types[1] != MessageContext.class)) {
            problems.add(description + ": unsupported parameter(s) " + Arrays.stream(types).skip(1)
                    .filter(t -> t != MessageContext.class).map(Class::getSimpleName).collect(Collectors.joining(", "))
                    + "; a handler takes the message and optionally a io.sourceflow.MessageContext");
        }
        Class<?> returnType = method.getReturnType();
        boolean async = CompletionStage.class.isAssignableFrom(returnType);
        if (returnType != void.class && !async) {
            problems.add(description + ": returns " + returnType.getName() + "; a handler returns void or CompletionStage");
        }
        if (problems.size() == before) {
            handlers.add(new HandlerMethod(bean, method, messageType, types.length == 2, async, description));
        }
    }

    /** Adds a problem found elsewhere (configuration), so that all are reported together. */
    public void problem(String problem) {
        problems.add(problem);
    }

    /** Every problem found so far; the deployment must fail if there is any. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Describes the handled types, checks them against each other and the configuration, and builds the registry.
     * Check {@link #problems()} afterwards: with problems, the registry is incomplete and must not be used.
     *
     * @param routes the routes configured, by kind and logical name
     */
    public HandlerRegistry build(SourceFlowConfig config, RouteOverrides routes) {
        MessageDescriptorFactory factory = new MessageDescriptorFactory(routes);
        Map<Class<?>, MessageDescriptor> descriptors = new LinkedHashMap<>();
        Map<Class<?>, List<HandlerMethod>> byType = new LinkedHashMap<>();
        handlers.sort(Comparator.comparing(HandlerMethod::description));
        for (HandlerMethod handler : handlers) {
            if (!descriptors.containsKey(handler.messageType())) {
                try {
                    descriptors.put(handler.messageType(), factory.describe(handler.messageType()));
                } catch (InvalidMessageTypeException e) {
                    problems.add(handler.description() + ": " + e.getMessage());
                    continue;
                }
            }
            byType.computeIfAbsent(handler.messageType(), t -> new ArrayList<>()).add(handler);
        }

        Map<String, MessageDescriptor> byLogicalName = new HashMap<>();
        for (MessageDescriptor descriptor : descriptors.values()) {
            MessageDescriptor previous = byLogicalName.putIfAbsent(descriptor.logicalName(), descriptor);
            if (previous != null) {
                problems.add("Logical type name '" + descriptor.logicalName() + "' is used by both " + previous.type().getName()
                        + " and " + descriptor.type().getName() + "; give one of them another name with @MessageType");
            }
        }
        checkRouteOverrides(config, byLogicalName);

        Map<Class<?>, HandlerInvoker> commandHandlers = new HashMap<>();
        Map<Class<?>, List<HandlerInvoker>> eventHandlers = new HashMap<>();
        for (Map.Entry<Class<?>, List<HandlerMethod>> entry : byType.entrySet()) {
            MessageDescriptor descriptor = descriptors.get(entry.getKey());
            List<HandlerMethod> methods = entry.getValue();
            if (descriptor.kind() == MessageKind.COMMAND && methods.size() > 1) {
                problems.add("Command " + descriptor.describe() + " has " + methods.size() + " handlers ("
                        + methods.stream().map(HandlerMethod::description).collect(Collectors.joining(", "))
                        + "); a command has exactly one handler: keep one, or make it an event");
                continue;
            }
            List<HandlerInvoker> invokers = new ArrayList<>();
            for (HandlerMethod handler : methods) {
                try {
                    invokers.add(new HandlerInvoker(handler.bean(), methodHandle(handler), handler.async(),
                            handler.description(), handler.messageType()));
                } catch (IllegalAccessException | RuntimeException e) {
                    problems.add(handler.description() + ": cannot be called (" + e + ")");
                }
            }
            if (descriptor.kind() == MessageKind.COMMAND) {
                invokers.stream().findFirst().ifPresent(i -> commandHandlers.put(descriptor.type(), i));
            } else {
                eventHandlers.put(descriptor.type(), List.copyOf(invokers));
            }
        }
        handlers.clear();
        return new HandlerRegistry(config, byLogicalName, commandHandlers, eventHandlers, factory);
    }

    private void checkRouteOverrides(SourceFlowConfig config, Map<String, MessageDescriptor> byLogicalName) {
        config.commandRoutes().keySet().forEach(name -> {
            MessageDescriptor d = byLogicalName.get(name);
            if (d != null && d.kind() != MessageKind.COMMAND) {
                problems.add(SourceFlowConfigReader.COMMAND_ROUTES + name + ": " + d.describe()
                        + " is an event; route it with " + SourceFlowConfigReader.EVENT_ROUTES + name);
            }
        });
        config.eventRoutes().keySet().forEach(name -> {
            MessageDescriptor d = byLogicalName.get(name);
            if (d != null && d.kind() != MessageKind.EVENT) {
                problems.add(SourceFlowConfigReader.EVENT_ROUTES + name + ": " + d.describe()
                        + " is a command; route it with " + SourceFlowConfigReader.COMMAND_ROUTES + name);
            }
        });
    }

    private static MethodHandle methodHandle(HandlerMethod handler) throws IllegalAccessException {
        Method method = handler.method();
        method.setAccessible(true);
        MethodHandle handle = MethodHandles.lookup().unreflect(method);
        if (!handler.withContext()) {
            handle = MethodHandles.dropArguments(handle, 2, MessageContext.class);
        }
        return handle.asType(MethodType.methodType(Object.class, Object.class, Object.class, MessageContext.class));
    }

    private static String describe(Class<?> beanClass, Method method) {
        return beanClass.getName() + "." + method.getName() + "(" + Arrays.stream(method.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }
}
