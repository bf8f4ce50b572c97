package io.sourceflow.cdi;

import io.sourceflow.Command;
import io.sourceflow.Event;
import io.sourceflow.Handles;
import io.sourceflow.InvalidMessageTypeException;
import io.sourceflow.MessageContext;
import io.sourceflow.config.InvalidConfigurationException;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.config.SourceFlowConfigReader;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedParameter;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

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
 * The SourceFlow portable extension. While beans are discovered it collects every {@link Handles}
 * method; after discovery it reads the configuration, validates handlers and message types, and registers
 * the immutable {@link HandlerRegistry}. Every mistake is reported as one deployment error that names
 * the class and method (or the configuration key).
 */
public final class SourceFlowExtension implements Extension {

    // one bean per line: several capabilities add theirs here
    private static final List<Class<?>> INTERNAL_BEANS = List.of(
            DefaultCommandBus.class,
            DefaultEventPublisher.class,
            HandlerDispatcher.class,
            RequestContextRunner.class,
            OutboundRouter.class,
            io.sourceflow.aws.AwsServiceClients.class,
            io.sourceflow.aws.SourceFlowExecutors.class,
            io.sourceflow.aws.MessageSerializer.class,
            io.sourceflow.aws.InboundProcessor.class,
            io.sourceflow.aws.SourceFlowRuntime.class,
            io.sourceflow.aws.AwsTransport.class,
            io.sourceflow.aws.ListenerControl.class,
            io.sourceflow.aws.DeadLetterQueues.class,
            io.sourceflow.aws.DataEncryption.class,
            io.sourceflow.aws.TransportStatus.class,
            io.sourceflow.aws.AwsSendCalls.class,
            io.sourceflow.telemetry.SourceFlowTelemetry.class,
            io.sourceflow.aws.IdempotencyGuard.class,
            io.sourceflow.aws.ProcessingStatistics.class);

    /** The health checks, by name: registered only when the MicroProfile Health API is visible. */
    private static final List<String> HEALTH_CHECKS = List.of("io.sourceflow.health.SourceFlowStartupCheck",
            "io.sourceflow.health.SourceFlowReadinessCheck", "io.sourceflow.health.SourceFlowLivenessCheck");
    private static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";

    private final List<DiscoveredHandler> discovered = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /** A {@link Handles} method found on a bean. */
    private record DiscoveredHandler(Bean<?> bean, Method method, Class<?> messageType, boolean withContext,
                                     boolean async, String description) {
    }

    void addInternalBeans(@Observes BeforeBeanDiscovery event, BeanManager beanManager) {
        for (Class<?> type : INTERNAL_BEANS) {
            event.addAnnotatedType(beanManager.createAnnotatedType(type), SourceFlowExtension.class.getName() + "#" + type.getName());
        }
        // the annotated types keep their @Startup/@Readiness/@Liveness qualifiers, so MP Health finds them; on WildFly
        // only because the jar has a beans.xml (discovering nothing): see META-INF/beans.xml
        for (Class<?> type : healthChecks()) {
            event.addAnnotatedType(beanManager.createAnnotatedType(type), SourceFlowExtension.class.getName() + "#" + type.getName());
        }
    }

    private static List<Class<?>> healthChecks() {
        ClassLoader loader = SourceFlowExtension.class.getClassLoader();
        try {
            Class.forName(HEALTH_API, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            System.getLogger(SourceFlowExtension.class.getName()).log(System.Logger.Level.INFO,
                    "MicroProfile Health is not available to the application: SourceFlow's health checks are not registered");
            return List.of();
        }
        List<Class<?>> checks = new ArrayList<>();
        for (String name : HEALTH_CHECKS) {
            try {
                checks.add(Class.forName(name, false, loader));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("SourceFlow health check " + name + " is missing from the sourceflow-cdi jar; "
                        + "use one complete sourceflow-cdi jar", e);
            }
        }
        return checks;
    }

    <T> void findHandlers(@Observes ProcessManagedBean<T> event) {
        for (AnnotatedMethod<? super T> annotated : event.getAnnotatedBeanClass().getMethods()) {
            List<? extends AnnotatedParameter<?>> parameters = annotated.getParameters();
            long handlesCount = parameters.stream().filter(p -> p.isAnnotationPresent(Handles.class)).count();
            if (handlesCount == 0) {
                continue;
            }
            Method method = annotated.getJavaMember();
            String description = describe(event.getBean().getBeanClass(), method);
            int before = problems.size();
            if (handlesCount > 1 || !parameters.get(0).isAnnotationPresent(Handles.class)) {
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
                discovered.add(new DiscoveredHandler(event.getBean(), method, messageType, types.length == 2, async, description));
            }
        }
    }

    void registerRegistry(@Observes AfterBeanDiscovery event, BeanManager beanManager) {
        SourceFlowConfig config = readConfig();
        HandlerRegistry registry = config == null ? null : buildRegistry(config, beanManager);
        if (!problems.isEmpty()) {
            event.addDefinitionError(new DeploymentException("SourceFlow found " + problems.size() + " problem(s):\n  - "
                    + String.join("\n  - ", problems)));
            return;
        }
        event.addBean().types(HandlerRegistry.class, Object.class).scope(Singleton.class)
                .beanClass(HandlerRegistry.class).createWith(c -> registry);
        event.addBean().types(SourceFlowConfig.class, Object.class).scope(Singleton.class)
                .beanClass(SourceFlowConfig.class).createWith(c -> config);
        discovered.clear();
    }

    private SourceFlowConfig readConfig() {
        try {
            return SourceFlowConfigReader.read(ConfigProvider.getConfig());
        } catch (InvalidConfigurationException e) {
            problems.addAll(e.problems());
            return null;
        } catch (IllegalStateException | NoClassDefFoundError e) {
            problems.add("No MicroProfile Config implementation is available (" + e.getMessage()
                    + "); enable mpConfig in the server or add SmallRye Config in Java SE");
            return null;
        }
    }

    private HandlerRegistry buildRegistry(SourceFlowConfig config, BeanManager beanManager) {
        MessageDescriptorFactory.RouteOverrides fromMaps = MessageDescriptorFactory.fromMaps(config.commandRoutes(), config.eventRoutes());
        org.eclipse.microprofile.config.Config mpConfig = ConfigProvider.getConfig();
        MessageDescriptorFactory factory = new MessageDescriptorFactory((kind, name) -> fromMaps.find(kind, name)
                .or(() -> SourceFlowConfigReader.routeOverride(mpConfig,
                        kind == MessageKind.COMMAND ? SourceFlowConfigReader.COMMAND_ROUTES : SourceFlowConfigReader.EVENT_ROUTES, name)));
        Map<Class<?>, MessageDescriptor> descriptors = new LinkedHashMap<>();
        Map<Class<?>, List<DiscoveredHandler>> byType = new LinkedHashMap<>();
        discovered.sort(Comparator.comparing(DiscoveredHandler::description));
        for (DiscoveredHandler handler : discovered) {
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
        for (Map.Entry<Class<?>, List<DiscoveredHandler>> entry : byType.entrySet()) {
            MessageDescriptor descriptor = descriptors.get(entry.getKey());
            List<DiscoveredHandler> handlers = entry.getValue();
            if (descriptor.kind() == MessageKind.COMMAND && handlers.size() > 1) {
                problems.add("Command " + descriptor.describe() + " has " + handlers.size() + " handlers ("
                        + handlers.stream().map(DiscoveredHandler::description).collect(Collectors.joining(", "))
                        + "); a command has exactly one handler: keep one, or make it an event");
                continue;
            }
            List<HandlerInvoker> invokers = new ArrayList<>();
            for (DiscoveredHandler handler : handlers) {
                try {
                    invokers.add(new HandlerInvoker(handler.bean(), beanManager, methodHandle(handler), handler.async(),
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

    private static MethodHandle methodHandle(DiscoveredHandler handler) throws IllegalAccessException {
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
