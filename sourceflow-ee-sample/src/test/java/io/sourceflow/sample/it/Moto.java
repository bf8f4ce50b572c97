package io.sourceflow.sample.it;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The moto AWS emulator ({@code moto_server}) on 127.0.0.1 and a free port, started and stopped by the test
 * that needs it. A {@code sh} watchdog kills moto when the test JVM's pipe to it closes, so it dies with the JVM.
 */
final class Moto implements AutoCloseable {

    private static final String WATCHDOG = "exec 3<&0; \"$@\" </dev/null & child=$!; ( read -r _ <&3; kill $child 2>/dev/null ) & "
            + "trap 'kill $child 2>/dev/null; exit 0' INT TERM HUP; wait $child";

    private final int port;
    private final Path log;
    private final Process process;

    private Moto(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Whether {@code moto_server} is on the PATH. */
    static boolean available() {
        return command() != null;
    }

    private static String command() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "moto_server"))) {
                return Path.of(dir, "moto_server").toString();
            }
        }
        return null;
    }

    /** Starts moto and waits until it answers HTTP. */
    static Moto start(Path workDir) throws IOException, InterruptedException {
        Environment.require(available(), "moto_server is not on the PATH (pip install 'moto[server]')");
        int port = Environment.freePort();
        Files.createDirectories(workDir);
        Path log = workDir.resolve("moto-" + port + ".log");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", WATCHDOG, "moto-watchdog", command(),
                "-H", "127.0.0.1", "-p", Integer.toString(port)));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Moto moto = new Moto(port, log, process);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto exited while starting; see " + log);
            }
            try {
                http.send(HttpRequest.newBuilder(moto.endpoint().resolve("/moto-api/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return moto;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        moto.close();
        throw new IllegalStateException("moto did not answer within 30 s; see " + log);
    }

    /** The endpoint override, e.g. {@code http://127.0.0.1:41234}. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** An SQS client for this emulator (dummy credentials, us-east-1). */
    SqsClient sqs() {
        return configure(SqsClient.builder()).build();
    }

    /** An SNS client for this emulator. */
    SnsClient sns() {
        return configure(SnsClient.builder()).build();
    }

    /** Creates a symmetric KMS key with {@code alias} (e.g. {@code alias/sourceflow-sample}) unless the alias exists. */
    void createKmsKey(String alias) {
        try (KmsClient kms = configure(KmsClient.builder()).build()) {
            boolean exists = kms.listAliases().aliases().stream().anyMatch(a -> alias.equals(a.aliasName()));
            if (!exists) {
                String keyId = kms.createKey(b -> b.description("SourceFlow sample (deployment tests)")).keyMetadata().keyId();
                kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
            }
        }
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
        builder.endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
        if (builder instanceof software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(ApacheHttpClient.builder());
        }
        return builder;
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the watchdog is gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "moto " + endpoint() + " (log " + log + ")";
    }
}
