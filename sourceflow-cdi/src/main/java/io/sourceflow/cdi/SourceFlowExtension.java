package io.sourceflow.cdi;

import io.sourceflow.Handles;
import io.sourceflow.aws.AwsSendCalls;
import io.sourceflow.aws.AwsServiceClients;
import io.sourceflow.aws.AwsStartup;
import io.sourceflow.aws.DataEncryption;
import io.sourceflow.aws.DeadLetterQueues;
import io.sourceflow.aws.IdempotencyCounters;
import io.sourceflow.aws.ListenerControl;
import io.sourceflow.aws.MessageSerializer;
import io.sourceflow.aws.ProcessingStatistics;
import io.sourceflow.aws.SendingClients;
import io.sourceflow.aws.SourceFlowExecutors;
import io.sourceflow.aws.TransportPlan;
import io.sourceflow.aws.TransportStatus;
import io.sourceflow.aws.inbound.IdempotencyGuard;
import io.sourceflow.aws.inbound.InboundProcessor;
import io.sourceflow.aws.inbound.ListenerRuntime;
import io.sourceflow.aws.outbound.AwsTransport;
import io.sourceflow.config.InvalidConfigurationException;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.config.SourceFlowConfigReader;
import io.sourceflow.core.DefaultCommandBus;
import io.sourceflow.core.DefaultEventPublisher;
import io.sourceflow.core.HandlerDispatcher;
import io.sourceflow.core.HandlerRegistry;
import io.sourceflow.core.HandlerRegistryBuilder;
import io.sourceflow.core.MessageKind;
import io.sourceflow.core.OutboundRouter;
import io.sourceflow.core.RequestContextRunner;
import io.sourceflow.core.RouteOverrides;
import io.sourceflow.spi.OutboxStore;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedParameter;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * The SourceFlow portable extension. While beans are discovered it collects every {@link Handles}
 * method; after discovery it reads the configuration, validates handlers and message types, and registers
 * the immutable {@link HandlerRegistry}. Every mistake is reported as one deployment error that names
 * the class and method (or the configuration key).
 */
public final class SourceFlowExtension implements Extension {

    /**
     * SourceFlow's own beans, one per line. This list is the only place that names the transport: the core below never
     * sees AWS, and the AWS side reaches the core only through its interfaces.
     */
    private static final List<Class<?>> INTERNAL_BEANS = List.of(
            DefaultCommandBus.class,
            DefaultEventPublisher.class,
            HandlerDispatcher.class,
            RequestContextRunner.class,
            OutboundRouter.class,
            AwsServiceClients.class,
            SendingClients.class,
            SourceFlowExecutors.class,
            MessageSerializer.class,
            AwsStartup.class,
            AwsTransport.class,
            InboundProcessor.class,
            ListenerRuntime.class,
            ListenerControl.class,
            DeadLetterQueues.class,
            DataEncryption.class,
            TransportStatus.class,
            AwsSendCalls.class,
            SourceFlowTelemetry.class,
            IdempotencyGuard.class,
            IdempotencyCounters.class,
            ProcessingStatistics.class);

    /** The health checks, by name: registered only when the MicroProfile Health API is visible. */
    private static final List<String> HEALTH_CHECKS = List.of("io.sourceflow.health.SourceFlowStartupCheck",
            "io.sourceflow.health.SourceFlowReadinessCheck", "io.sourceflow.health.SourceFlowLivenessCheck");
    private static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";

    private final HandlerRegistryBuilder registry = new HandlerRegistryBuilder();
    private boolean outboxEnabled;

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

    <T> void findHandlers(@Observes ProcessManagedBean<T> event, BeanManager beanManager) {
        for (AnnotatedMethod<? super T> annotated : event.getAnnotatedBeanClass().getMethods()) {
            List<? extends AnnotatedParameter<?>> parameters = annotated.getParameters();
            long handlesCount = parameters.stream().filter(p -> p.isAnnotationPresent(Handles.class)).count();
            if (handlesCount == 0) {
                continue;
            }
            boolean onlyOnFirst = handlesCount == 1 && parameters.get(0).isAnnotationPresent(Handles.class);
            registry.add(new CdiHandlerBean(event.getBean(), beanManager), event.getBean().getBeanClass(),
                    annotated.getJavaMember(), onlyOnFirst);
        }
    }

    void registerRegistry(@Observes AfterBeanDiscovery event) {
        SourceFlowConfig config = readConfig();
        HandlerRegistry built = null;
        TransportPlan plan = null;
        if (config != null) {
            built = registry.build(config, routeOverrides(config));
            plan = transportPlan(built, config);
        }
        List<String> problems = registry.problems();
        if (!problems.isEmpty()) {
            event.addDefinitionError(new DeploymentException("SourceFlow found " + problems.size() + " problem(s):\n  - "
                    + String.join("\n  - ", problems)));
            return;
        }
        outboxEnabled = config.outbox().enabled();
        HandlerRegistry handlers = built;
        TransportPlan transportPlan = plan;
        event.addBean().types(HandlerRegistry.class, Object.class).scope(Singleton.class)
                .beanClass(HandlerRegistry.class).createWith(c -> handlers);
        event.addBean().types(SourceFlowConfig.class, Object.class).scope(Singleton.class)
                .beanClass(SourceFlowConfig.class).createWith(c -> config);
        event.addBean().types(TransportPlan.class, Object.class).scope(Singleton.class)
                .beanClass(TransportPlan.class).createWith(c -> transportPlan);
    }

    /** The outbox needs a store; without one, sends inside transactions would silently not be stored. */
    void requireOutboxStore(@Observes AfterDeploymentValidation event, BeanManager beanManager) {
        if (outboxEnabled && beanManager.getBeans(OutboxStore.class).isEmpty()) {
            event.addDeploymentProblem(new DeploymentException("sourceflow.outbox.enabled=true but there is no "
                    + "OutboxStore bean: add the io.sourceflow:sourceflow-jpa-idempotency jar to the application and produce "
                    + "its persistence unit (see its README), or remove the key"));
        }
    }

    private SourceFlowConfig readConfig() {
        try {
            return SourceFlowConfigReader.read(ConfigProvider.getConfig());
        } catch (InvalidConfigurationException e) {
            e.problems().forEach(registry::problem);
            return null;
        } catch (IllegalStateException | NoClassDefFoundError e) {
            registry.problem("No MicroProfile Config implementation is available (" + e.getMessage()
                    + "); enable mpConfig in the server or add SmallRye Config in Java SE");
            return null;
        }
    }

    /** Routes from the configuration's maps, then any single key (an environment variable, say) the maps miss. */
    private static RouteOverrides routeOverrides(SourceFlowConfig config) {
        Config mpConfig = ConfigProvider.getConfig();
        return RouteOverrides.fromMaps(config.commandRoutes(), config.eventRoutes()).orElse((kind, name) ->
                SourceFlowConfigReader.routeOverride(mpConfig,
                        kind == MessageKind.COMMAND ? SourceFlowConfigReader.COMMAND_ROUTES : SourceFlowConfigReader.EVENT_ROUTES, name));
    }

    /** What the deployment does on AWS, derived once; its mistakes are deployment problems like the others. */
    private TransportPlan transportPlan(HandlerRegistry handlers, SourceFlowConfig config) {
        try {
            return TransportPlan.of(handlers, config);
        } catch (InvalidConfigurationException e) {
            e.problems().forEach(registry::problem);
            return null;
        }
    }
}
