package io.sourceflow.sample.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A running application server with the sample deployed, as the deployment tests see it. */
abstract class SampleServer implements AutoCloseable {

    /** The sample at {@code /}: {@code http://127.0.0.1:<port>/}. */
    abstract URI baseUri();

    /** The MicroProfile Health endpoint ({@code /health}). */
    abstract URI healthUri();

    /** The server's main log file. */
    abstract Path logFile();

    /** Pattern of an ERROR/SEVERE line in {@link #logFile()}. */
    abstract Pattern errorLine();

    /** Stops the server; idempotent. */
    abstract void stop();

    /**
     * Kills the server's JVM with SIGKILL, as a crash would: no shutdown hook, no application stop, nothing flushed.
     * Returns once the process is gone.
     */
    abstract void kill() throws InterruptedException;

    @Override
    public final void close() {
        stop();
    }

    /** Lines of the log that report an error. */
    List<String> errorLines() {
        try {
            if (!Files.exists(logFile())) {
                return List.of();
            }
            return Files.readAllLines(logFile(), StandardCharsets.UTF_8).stream()
                    .filter(line -> errorLine().matcher(line).find())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How the tests configure the sample: environment variables for the emulator endpoint, dummy credentials
     * and the instance name, and system properties for the {@code sourceflow.*} keys whose names contain a
     * dash. (Environment variables cannot carry those: MP Config lists {@code SOURCEFLOW_AWS_SHUTDOWN_TIMEOUT}
     * as {@code sourceflow.aws.shutdown.timeout}, which SourceFlowConfigReader rejects as an unknown key.)
     * {@code -Dsample.it.routing=in-process} keeps messages in-process; {@code -Dsample.it.encryption=true}
     * turns on KMS encryption.
     */
    record Settings(Map<String, String> environment, Map<String, String> systemProperties) {

        /** The same settings with the AWS endpoint override replaced (e.g. by an {@link EmulatorProxy}'s). */
        Settings withEndpoint(URI endpoint) {
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.put("SOURCEFLOW_AWS_ENDPOINT", endpoint.toString());
            return new Settings(env, systemProperties);
        }
    }

    /** The KMS key of the sample's configuration ({@code sourceflow.aws.encryption.kms-key-id}). */
    static final String KMS_KEY_ALIAS = "alias/sourceflow-sample";

    /** Whether a test runs with encryption on: {@code -Dsample.it.encryption=true|false}, else {@code byDefault}. */
    static boolean encryption(boolean byDefault) {
        String value = System.getProperty("sample.it.encryption", "").trim();
        return value.isEmpty() ? byDefault : Boolean.parseBoolean(value);
    }

    /** Whether messages go through SQS/SNS (not {@code -Dsample.it.routing=in-process}). */
    static boolean awsRouting() {
        return !"in-process".equals(System.getProperty("sample.it.routing", "aws"));
    }

    /** The settings with encryption off unless {@code -Dsample.it.encryption=true}. */
    static Settings sampleSettings(Moto moto, String instanceName) {
        return sampleSettings(moto, instanceName, encryption(false));
    }

    /** The settings; with {@code encryption}, KMS envelope encryption under {@link #KMS_KEY_ALIAS}, created in moto. */
    static Settings sampleSettings(Moto moto, String instanceName, boolean encryption) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> props = new LinkedHashMap<>();
        env.put("SOURCEFLOW_AWS_ENDPOINT", moto.endpoint().toString());
        env.put("SOURCEFLOW_AWS_REGION", "us-east-1");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("SAMPLE_INSTANCE_NAME", instanceName);
        props.put("sourceflow.aws.shutdown-timeout", "5s");
        // stopping a listener waits for the long poll in progress (up to wait-time + 5 s) one queue after
        // another, so with the default 20 s a server takes 30 s or more to stop; short polls keep the tests fast
        props.put("sourceflow.aws.wait-time", "2s");
        if (!awsRouting()) {
            props.put("sourceflow.aws.command-routing.enabled", "false");
            props.put("sourceflow.aws.event-routing.enabled", "false");
        }
        String store = System.getProperty("sample.it.idempotency-store", "").trim();
        if (!store.isEmpty()) {
            // e.g. memory: each instance's in-memory store, to see what the shared JPA store prevents
            env.put("SOURCEFLOW_IDEMPOTENCY_STORE", store);
        }
        String outbox = System.getProperty("sample.it.outbox", "").trim();
        if (!outbox.isEmpty()) {
            // false: messages leave from memory after the commit, to see what the outbox prevents (LibertyCrashIT)
            env.put("SOURCEFLOW_OUTBOX_ENABLED", outbox);
        }
        String trace = System.getProperty("sample.it.trace", "").trim();
        if (!trace.isEmpty()) {
            // Open Liberty's trace specification, e.g. *=info:io.sourceflow.*=all (trace.log next to messages.log)
            env.put("SAMPLE_TRACE_SPECIFICATION", trace);
        }
        if (encryption) {
            moto.createKmsKey(KMS_KEY_ALIAS);
            env.put("SOURCEFLOW_AWS_ENCRYPTION_ENABLED", "true");
        }
        return new Settings(env, props);
    }
}
