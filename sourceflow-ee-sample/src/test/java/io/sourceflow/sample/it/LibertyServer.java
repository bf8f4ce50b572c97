package io.sourceflow.sample.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An Open Liberty server created from {@code server-config/liberty/server.xml} in the unpacked runtime,
 * with the sample WAR and the PostgreSQL driver, bound to 127.0.0.1 on a free port, started with
 * {@code bin/server start} and stopped with {@code bin/server stop}.
 */
final class LibertyServer extends SampleServer {

    private static final Pattern ERROR = Pattern.compile("^\\[[^\\]]+\\] \\S+ \\S+\\s+E ");

    private final Path wlp;
    private final String name;
    private final int port;
    private final Path serverDir;
    private volatile boolean running;
    private Thread shutdownHook;

    private LibertyServer(Path wlp, String name, int port) {
        this.wlp = wlp;
        this.name = name;
        this.port = port;
        this.serverDir = wlp.resolve("usr/servers").resolve(name);
    }

    /** The unpacked runtime's {@code wlp} directory, or a skip/failure if it is missing. */
    static Path home() {
        Path wlp = Environment.existing("sample.liberty-home", "Open Liberty runtime (unpacked by mvn verify)");
        Environment.require(Files.isExecutable(wlp.resolve("bin/server")), "no bin/server in " + wlp);
        return wlp;
    }

    /** Creates (anew) and starts server {@code name}; returns once the sample answers. */
    static LibertyServer start(String name, Settings settings) throws IOException, InterruptedException {
        Path wlp = home();
        Path war = Environment.existing("sample.war", "the sample WAR");
        Path driver = Environment.existing("sample.jdbc-driver", "the PostgreSQL driver");
        Path serverXml = Environment.existing("sample.server-config", "server-config").resolve("liberty/server.xml");
        LibertyServer server = new LibertyServer(wlp, name, Environment.freePort());
        server.create(serverXml, war, driver, settings);
        try {
            server.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.stop();
            throw e;
        }
        return server;
    }

    private void create(Path serverXml, Path war, Path driver, Settings settings) throws IOException {
        if (Files.exists(serverDir)) {
            try (Stream<Path> tree = Files.walk(serverDir)) {
                tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(serverDir.resolve("apps"));
        Files.copy(serverXml, serverDir.resolve("server.xml"));
        Files.copy(war, serverDir.resolve("apps/sourceflow-ee-sample.war"));
        Path shared = wlp.resolve("usr/shared/resources/jdbc");
        Files.createDirectories(shared);
        Files.copy(driver, shared.resolve("postgresql.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(serverDir.resolve("bootstrap.properties"), String.join("\n",
                "sample.http.host=127.0.0.1",
                "sample.http.port=" + port,
                "sample.db.host=" + Environment.DB_HOST,
                "sample.db.port=" + Environment.DB_PORT,
                "sample.db.name=" + Environment.DB_NAME,
                "sample.db.user=" + Environment.DB_USER,
                "sample.db.password=" + Environment.DB_PASSWORD, ""));
        StringBuilder serverEnv = new StringBuilder();
        settings.environment().forEach((k, v) -> serverEnv.append(k).append('=').append(v).append('\n'));
        Files.writeString(serverDir.resolve("server.env"), serverEnv);
        StringBuilder jvmOptions = new StringBuilder("-Xmx768m\n-XX:+HeapDumpOnOutOfMemoryError\n-XX:HeapDumpPath="
                + Environment.path("sample.work-dir") + "\n");
        settings.systemProperties().forEach((k, v) -> jvmOptions.append("-D").append(k).append('=').append(v).append('\n'));
        Files.writeString(serverDir.resolve("jvm.options"), jvmOptions);
    }

    private void launch() throws IOException, InterruptedException {
        shutdownHook = new Thread(this::stop, "stop-liberty-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        running = true;
        int rc = run(Duration.ofMinutes(3), "start", name, "--clean");
        if (rc != 0) {
            throw new IllegalStateException("bin/server start " + name + " exited " + rc + "; see " + logFile());
        }
        Http.awaitUp(baseUri().resolve("/api/orders/none"), Duration.ofMinutes(2), this);
    }

    private int run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(wlp.resolve("bin/server").toString());
        cmd.addAll(List.of(args));
        Path out = serverDir.resolve("server-command.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/server " + String.join(" ", args) + " did not finish in " + timeout);
        }
        return p.exitValue();
    }

    @Override
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Override
    URI healthUri() {
        return baseUri().resolve("/health");
    }

    @Override
    Path logFile() {
        return serverDir.resolve("logs/messages.log");
    }

    @Override
    Pattern errorLine() {
        return ERROR;
    }

    @Override
    synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            run(Duration.ofMinutes(1), "stop", name);
        } catch (IOException | RuntimeException e) {
            System.err.println("stopping Liberty " + name + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // already running
            }
        }
    }

    /**
     * Kills the server's JVM with SIGKILL, as a crash would: no shutdown hook, no application stop, nothing flushed.
     * Returns once the process is gone.
     */
    synchronized void kill() throws InterruptedException {
        List<ProcessHandle> jvms = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(wlp.toString()) && c.contains("ws-server")
                        && c.contains(" " + name)).orElse(false))
                .toList();
        if (jvms.isEmpty()) {
            throw new IllegalStateException("no running JVM of Liberty server " + name + " under " + wlp);
        }
        for (ProcessHandle jvm : jvms) {
            jvm.destroyForcibly();
        }
        for (ProcessHandle jvm : jvms) {
            try {
                jvm.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Liberty server " + name + " (pid " + jvm.pid() + ") did not die", e);
            }
        }
        running = false;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // already running
            }
        }
    }

    @Override
    public String toString() {
        return "Open Liberty " + name + " on " + baseUri() + " (log " + logFile() + ")";
    }
}
