package io.sourceflow.config;

import org.eclipse.microprofile.config.Config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads and validates every {@code sourceflow.*} key once. Unknown keys and invalid values are all
 * collected and reported together in one {@link InvalidConfigurationException}, each naming its key.
 */
public final class SourceFlowConfigReader {

    /** Prefix of every SourceFlow key. */
    public static final String PREFIX = "sourceflow.";
    /** Prefix of command route overrides: {@code sourceflow.routes.commands.<LogicalType>=<queue>}. */
    public static final String COMMAND_ROUTES = "sourceflow.routes.commands.";
    /** Prefix of event route overrides: {@code sourceflow.routes.events.<LogicalType>=<topic>}. */
    public static final String EVENT_ROUTES = "sourceflow.routes.events.";

    static final String SERVICE_NAME = "sourceflow.service-name";
    static final String LISTEN_QUEUES = "sourceflow.listen.queues";
    static final String SUBSCRIBE_TOPICS = "sourceflow.subscribe.topics";
    static final String REGION = "sourceflow.aws.region";
    static final String ENDPOINT = "sourceflow.aws.endpoint";
    static final String COMMAND_ROUTING = "sourceflow.aws.command-routing.enabled";
    static final String EVENT_ROUTING = "sourceflow.aws.event-routing.enabled";
    static final String COMMAND_LISTENER = "sourceflow.aws.command-listener.enabled";
    static final String EVENT_LISTENER = "sourceflow.aws.event-listener.enabled";
    static final String PROVISIONING = "sourceflow.aws.provisioning";
    static final String MAX_RECEIVE_COUNT = "sourceflow.aws.max-receive-count";
    static final String VISIBILITY_TIMEOUT = "sourceflow.aws.visibility-timeout";
    static final String WAIT_TIME = "sourceflow.aws.wait-time";
    static final String MAX_CONCURRENT = "sourceflow.aws.max-concurrent-messages";
    static final String RETENTION = "sourceflow.aws.message-retention";
    static final String BATCH_LINGER = "sourceflow.aws.batch-linger";
    static final String SHUTDOWN_TIMEOUT = "sourceflow.aws.shutdown-timeout";
    static final String EXECUTOR = "sourceflow.aws.executor";
    static final String RETRY_INITIAL = "sourceflow.aws.retry.initial-delay";
    static final String RETRY_MAX = "sourceflow.aws.retry.max-delay";
    static final String MAX_EXTENSION = "sourceflow.aws.max-visibility-extension";
    static final String HANDLER_TIMEOUT = "sourceflow.aws.handler-timeout";
    static final String ENCRYPTION_ENABLED = "sourceflow.aws.encryption.enabled";
    static final String ENCRYPTION_REQUIRED = "sourceflow.aws.encryption.required";
    static final String KMS_KEY_ID = "sourceflow.aws.encryption.kms-key-id";
    static final String DATA_KEY_MAX_AGE = "sourceflow.aws.encryption.data-key-max-age";
    static final String DATA_KEY_MAX_MESSAGES = "sourceflow.aws.encryption.data-key-max-messages";
    static final String IDEMPOTENCY_TTL = "sourceflow.idempotency.ttl";
    static final String IDEMPOTENCY_MAX_ENTRIES = "sourceflow.idempotency.max-entries";
    static final String IDEMPOTENCY_STORE = "sourceflow.idempotency.store";
    static final String HEALTH_CACHE_TTL = "sourceflow.health.cache-ttl";
    static final String HEALTH_TIMEOUT = "sourceflow.health.timeout";
    static final String HEALTH_MAX_POLL_AGE = "sourceflow.health.max-poll-age";
    static final String QUEUE_DEPTH_INTERVAL = "sourceflow.telemetry.queue-depth-interval";
    static final String OUTBOX_ENABLED = "sourceflow.outbox.enabled";
    static final String OUTBOX_LEASE = "sourceflow.outbox.lease";
    static final String OUTBOX_RELAY_INTERVAL = "sourceflow.outbox.relay-interval";
    static final String OUTBOX_MAX_LAG = "sourceflow.outbox.max-lag";
    /** Prefix of the keys owned and validated by the {@code sourceflow-jpa-idempotency} module. */
    public static final String IDEMPOTENCY_JPA = "sourceflow.idempotency.jpa.";

    /** Every fixed key SourceFlow knows; route overrides are matched by prefix. */
    public static final Set<String> KNOWN_KEYS = Set.of(SERVICE_NAME, LISTEN_QUEUES, SUBSCRIBE_TOPICS, REGION,
            ENDPOINT, COMMAND_ROUTING, EVENT_ROUTING, COMMAND_LISTENER, EVENT_LISTENER, PROVISIONING,
            MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT, WAIT_TIME, MAX_CONCURRENT, RETENTION, BATCH_LINGER,
            SHUTDOWN_TIMEOUT, EXECUTOR, RETRY_INITIAL, RETRY_MAX, MAX_EXTENSION, HANDLER_TIMEOUT, ENCRYPTION_ENABLED, ENCRYPTION_REQUIRED, KMS_KEY_ID,
            DATA_KEY_MAX_AGE, DATA_KEY_MAX_MESSAGES, IDEMPOTENCY_TTL, IDEMPOTENCY_MAX_ENTRIES, IDEMPOTENCY_STORE,
            HEALTH_CACHE_TTL, HEALTH_TIMEOUT, HEALTH_MAX_POLL_AGE, QUEUE_DEPTH_INTERVAL, OUTBOX_ENABLED, OUTBOX_LEASE,
            OUTBOX_RELAY_INTERVAL, OUTBOX_MAX_LAG);

    private static final Pattern LOGICAL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9_-]{1,70}");

    private final Config config;
    private final List<String> problems = new ArrayList<>();

    private SourceFlowConfigReader(Config config) {
        this.config = config;
    }

    /**
     * Reads the configuration.
     *
     * @throws InvalidConfigurationException listing every unknown key and invalid value
     */
    public static SourceFlowConfig read(Config config) {
        return new SourceFlowConfigReader(config).readAll();
    }

    private SourceFlowConfig readAll() {
        Map<String, String> commandRoutes = new HashMap<>();
        Map<String, String> eventRoutes = new HashMap<>();
        Set<String> canonicalKnown = new java.util.HashSet<>();
        KNOWN_KEYS.forEach(key -> canonicalKnown.add(canonical(key)));
        for (String name : new TreeSet<>(propertyNames())) {
            String canonical = canonical(name);
            if (!canonical.startsWith(canonical(PREFIX))) {
                continue;
            }
            if (name.startsWith(COMMAND_ROUTES)) {
                route(name, COMMAND_ROUTES, commandRoutes);
            } else if (name.startsWith(EVENT_ROUTES)) {
                route(name, EVENT_ROUTES, eventRoutes);
            } else if (canonical.startsWith(canonical(COMMAND_ROUTES)) || canonical.startsWith(canonical(EVENT_ROUTES))) {
                // a route from an environment variable (SOURCEFLOW_ROUTES_COMMANDS_PLACEORDER): the logical name's case and
                // dots are lost in that form, so it is looked up per message type instead (see routeOverride)
                continue;
            } else if (canonical.startsWith(canonical(IDEMPOTENCY_JPA))) {
                continue; // the JPA module reads and validates its own keys
            } else if (!KNOWN_KEYS.contains(name) && !canonicalKnown.contains(canonical)) {
                problems.add(name + ": unknown SourceFlow key" + suggestion(name)
                        + "; the README's configuration table lists every key");
            }
        }

        Optional<String> serviceName = string(SERVICE_NAME);
        serviceName.ifPresent(s -> {
            if (!SERVICE.matcher(s).matches()) {
                problems.add(SERVICE_NAME + "='" + s + "': use 1-70 letters, digits, '-' or '_' (it names the event queue)");
            }
        });

        Duration visibility = duration(VISIBILITY_TIMEOUT, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(12));
        // 15 s doubling over the default 5 receives: the 4 retries span 225 s (112-225 s with jitter), long enough to ride out
        // a database failover or a dependency's restart before the DLQ takes the message; poison goes there at once anyway
        Duration retryInitial = duration(RETRY_INITIAL, Duration.ofSeconds(15), Duration.ZERO, Duration.ofHours(12));
        Duration retryMax = duration(RETRY_MAX, Duration.ofMinutes(5), Duration.ZERO, Duration.ofHours(12));
        if (retryMax.compareTo(retryInitial) < 0) {
            problems.add(RETRY_MAX + "=" + retryMax + " is below " + RETRY_INITIAL + "=" + retryInitial + "; the maximum must be at least the initial delay");
        }
        Duration maxExtension = duration(MAX_EXTENSION, Duration.ofHours(1), Duration.ZERO, Duration.ofHours(11));
        // past it a handler's message is no longer kept invisible: it cannot be longer than the heartbeat keeps it so
        Duration handlerTimeout = duration(HANDLER_TIMEOUT, min(Duration.ofMinutes(15), maxExtension.plus(visibility)),
                Duration.ofSeconds(1), Duration.ofHours(11));
        if (string(HANDLER_TIMEOUT).isPresent() && handlerTimeout.compareTo(maxExtension.plus(visibility)) > 0) {
            problems.add(HANDLER_TIMEOUT + "=" + describe(handlerTimeout) + " is longer than a handler's message stays "
                    + "invisible (" + VISIBILITY_TIMEOUT + " + " + MAX_EXTENSION + " = " + describe(maxExtension.plus(visibility))
                    + "); lower it, or raise " + MAX_EXTENSION);
        }
        EncryptionSettings encryption = new EncryptionSettings(
                bool(ENCRYPTION_ENABLED, false), string(KMS_KEY_ID),
                duration(DATA_KEY_MAX_AGE, Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(1)),
                integer(DATA_KEY_MAX_MESSAGES, 10_000, 1, Integer.MAX_VALUE),
                bool(ENCRYPTION_REQUIRED, false));
        if (encryption.enabled() && encryption.kmsKeyId().isEmpty()) {
            problems.add(KMS_KEY_ID + ": required when " + ENCRYPTION_ENABLED + "=true (a key id, ARN or alias/name)");
        }
        // at least a second: SQS counts whole seconds, and 0 would make an idle queue cost hundreds of receives a second
        Duration waitTime = duration(WAIT_TIME, Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofSeconds(20));
        Duration retention = duration(RETENTION, Duration.ofDays(14), Duration.ofMinutes(1), Duration.ofDays(14));
        AwsSettings aws = new AwsSettings(
                string(REGION), uri(ENDPOINT),
                bool(COMMAND_ROUTING, true), bool(EVENT_ROUTING, true),
                bool(COMMAND_LISTENER, true), bool(EVENT_LISTENER, true),
                provisioning(),
                integer(MAX_RECEIVE_COUNT, 5, 1, 1000),
                visibility,
                waitTime,
                integer(MAX_CONCURRENT, 10, 1, 1000),
                retention,
                duration(BATCH_LINGER, Duration.ofMillis(5), Duration.ZERO, Duration.ofSeconds(1)),
                duration(SHUTDOWN_TIMEOUT, Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1)),
                string(EXECUTOR).orElse("java:comp/DefaultManagedExecutorService"),
                retryInitial, retryMax, maxExtension, handlerTimeout,
                encryption);
        Duration ttl = duration(IDEMPOTENCY_TTL, Duration.ofDays(14), Duration.ofMinutes(1), Duration.ofDays(365));
        IdempotencySettings idempotency = new IdempotencySettings(ttl, (int) integer(IDEMPOTENCY_MAX_ENTRIES, 100_000, 100, 100_000_000),
                idempotencyStore());

        HealthSettings health = new HealthSettings(
                duration(HEALTH_CACHE_TTL, Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(10)),
                duration(HEALTH_TIMEOUT, Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofMinutes(1)),
                // a receive lasts up to the wait time; a failing one backs off up to 30 s before the next
                duration(HEALTH_MAX_POLL_AGE, waitTime.plusSeconds(60), waitTime.plusSeconds(1), Duration.ofHours(1)));

        OutboxSettings outbox = new OutboxSettings(bool(OUTBOX_ENABLED, false),
                duration(OUTBOX_LEASE, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
                duration(OUTBOX_RELAY_INTERVAL, Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMinutes(10)),
                duration(OUTBOX_MAX_LAG, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(1)));

        SourceFlowConfig result = new SourceFlowConfig(serviceName, commandRoutes, eventRoutes,
                list(LISTEN_QUEUES), list(SUBSCRIBE_TOPICS), aws, idempotency, health,
                new TelemetrySettings(duration(QUEUE_DEPTH_INTERVAL, Duration.ofSeconds(60), Duration.ZERO, Duration.ofHours(1))),
                outbox);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return result;
    }

    /**
     * The form in which MicroProfile Config matches environment variables: {@code SOURCEFLOW_AWS_SHUTDOWN_TIMEOUT},
     * {@code sourceflow.aws.shutdown.timeout} (how some servers list it) and {@code sourceflow.aws.shutdown-timeout}
     * are one key.
     */
    static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
    }

    /**
     * The route configured for a logical type, also when it comes from an environment variable
     * ({@code SOURCEFLOW_ROUTES_COMMANDS_PLACEORDER}), which MicroProfile Config resolves by name but does not list.
     *
     * @param prefix {@link #COMMAND_ROUTES} or {@link #EVENT_ROUTES}
     */
    public static Optional<String> routeOverride(Config config, String prefix, String logicalName) {
        return config.getOptionalValue(prefix + logicalName, String.class).map(String::trim).filter(v -> !v.isEmpty());
    }

    private List<String> propertyNames() {
        List<String> names = new ArrayList<>();
        config.getPropertyNames().forEach(names::add);
        return names;
    }

    private void route(String key, String prefix, Map<String, String> routes) {
        String logicalType = key.substring(prefix.length());
        if (!LOGICAL_NAME.matcher(logicalType).matches()) {
            problems.add(key + ": '" + logicalType + "' is not a logical type name (letters, digits, '.', '_', '-')");
            return;
        }
        string(key).ifPresent(value -> routes.put(logicalType, value));
    }

    private Optional<String> string(String key) {
        return config.getOptionalValue(key, String.class).map(String::trim).filter(s -> !s.isEmpty());
    }

    private List<String> list(String key) {
        return string(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    private boolean bool(String key, boolean defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                problems.add(key + "='" + value.get() + "': expected true or false");
                yield defaultValue;
            }
        };
    }

    private long integer(String key, long defaultValue, long min, long max) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.get());
            if (parsed < min || parsed > max) {
                problems.add(key + "=" + parsed + ": must be between " + min + " and " + max);
                return defaultValue;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(key + "='" + value.get() + "': expected a whole number between " + min + " and " + max);
            return defaultValue;
        }
    }

    private int integer(String key, int defaultValue, int min, int max) {
        return (int) integer(key, (long) defaultValue, (long) min, (long) max);
    }

    private Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> parsed = ConfigDurations.parse(value.get());
        if (parsed.isEmpty()) {
            problems.add(key + "='" + value.get() + "': expected a duration such as 30s, 500ms, 5m, 2h, 14d or PT30S");
            return defaultValue;
        }
        if (parsed.get().compareTo(min) < 0 || parsed.get().compareTo(max) > 0) {
            problems.add(key + "='" + value.get() + "': must be between " + describe(min) + " and " + describe(max));
            return defaultValue;
        }
        return parsed.get();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private Optional<URI> uri(String key) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(value.get());
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                problems.add(key + "='" + value.get() + "': expected an http(s) URL such as http://127.0.0.1:4566");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (IllegalArgumentException e) {
            problems.add(key + "='" + value.get() + "': not a URL (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private ProvisioningMode provisioning() {
        Optional<String> value = string(PROVISIONING);
        if (value.isEmpty()) {
            return ProvisioningMode.CREATE;
        }
        try {
            return ProvisioningMode.valueOf(value.get().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(PROVISIONING + "='" + value.get() + "': expected create, verify or off");
            return ProvisioningMode.CREATE;
        }
    }

    private String idempotencyStore() {
        Optional<String> value = string(IDEMPOTENCY_STORE).map(v -> v.toLowerCase(Locale.ROOT));
        if (value.isEmpty()) {
            return IdempotencySettings.STORE_MEMORY;
        }
        if (!value.get().equals(IdempotencySettings.STORE_MEMORY) && !value.get().equals(IdempotencySettings.STORE_JPA)) {
            problems.add(IDEMPOTENCY_STORE + "='" + value.get() + "': expected memory or jpa (jpa needs the "
                    + "sourceflow-jpa-idempotency jar; a custom store is any CDI bean implementing IdempotencyStore)");
            return IdempotencySettings.STORE_MEMORY;
        }
        return value.get();
    }

    private static String suggestion(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KNOWN_KEYS) {
            int d = distance(unknown, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= 4 ? " (did you mean " + best + "?)" : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
