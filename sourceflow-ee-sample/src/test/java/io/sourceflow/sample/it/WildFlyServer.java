package io.sourceflow.sample.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * WildFly ({@code standalone-microprofile.xml}) configured by {@code server-config/wildfly/configure.cli}
 * (run offline with an embedded server), with the sample deployed as {@code ROOT.war}, bound to 127.0.0.1
 * with a port offset that leaves every socket binding free, run as a child process and stopped through the
 * management CLI.
 *
 * <p>The server is a fresh copy, in the work directory, of the unpacked distribution, with the distribution's own
 * {@code standalone-microprofile.xml} read from the {@code wildfly-dist} zip. So the test does not depend on what
 * a user did to the unpacked directory (ran {@code configure.cli} on it, deployed a WAR), and never changes it.
 */
final class WildFlyServer extends SampleServer {

    private static final Pattern ERROR = Pattern.compile("^\\S+ \\S+ (ERROR|FATAL) ");
    private static final int[] BASE_PORTS = {8080, 8443, 9990, 9993, 8009, 4712, 4713};
    private static final String CONFIG = "standalone-microprofile.xml";

    /** One run of {@code configure.cli}: its exit code, its output, and the configuration file after it. */
    record CliRun(int exitCode, String output, String configAfter) {
    }

    private final Path home;
    private final int offset;
    private final List<CliRun> configureRuns = new ArrayList<>();
    private Process process;
    private Thread shutdownHook;

    private WildFlyServer(Path home, int offset) {
        this.home = home;
        this.offset = offset;
    }

    /** The unpacked WildFly distribution (only read, never changed), or a skip/failure if it is missing. */
    static Path home() {
        Path home = Environment.existing("sample.wildfly-home", "WildFly (unpacked by mvn verify)");
        Environment.require(Files.isExecutable(home.resolve("bin/standalone.sh")), "no bin/standalone.sh in " + home);
        distributionZip();
        return home;
    }

    /** The {@code wildfly-dist} zip in the local Maven repository, which has the pristine configuration. */
    private static Path distributionZip() {
        return Environment.existing("sample.wildfly-dist", "the wildfly-dist zip");
    }

    /**
     * Makes a fresh server from the distribution, runs configure.cli on it twice (the second run must succeed and
     * change nothing; see {@link #configureRuns()}), deploys the sample and starts it; returns once the sample
     * answers.
     */
    static WildFlyServer start(Settings settings) throws IOException, InterruptedException {
        Path server = Environment.path("sample.work-dir").resolve("wildfly");
        copyPristine(home(), server);
        WildFlyServer wildFly = new WildFlyServer(server, freeOffset());
        wildFly.configure();
        try {
            wildFly.launch(settings);
        } catch (IOException | InterruptedException | RuntimeException e) {
            wildFly.stop();
            throw e;
        }
        return wildFly;
    }

    /**
     * An offset that puts every port between 14712 and 32767: free now, and below Linux's ephemeral range
     * (32768-60999), from which the kernel hands out ports to other processes (and to {@link Environment#freePort()}
     * of tests running alongside) between this check and WildFly's bind.
     */
    private static int freeOffset() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(10_000, 32_768 - 9993);
            if (IntStream.of(BASE_PORTS).allMatch(p -> Environment.isFree(p + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("no port offset with all WildFly ports free");
    }

    /**
     * Replaces {@code target} with a copy of the distribution at {@code distribution}, without what configure.cli,
     * deployments and earlier runs add there, and with the configuration file as the {@code wildfly-dist} zip has it.
     */
    private static void copyPristine(Path distribution, Path target) throws IOException {
        delete(target);
        Files.createDirectories(target.getParent());
        Path modules = distribution.resolve("modules/org/postgresql");
        List<Path> skipped = Stream.of("standalone/deployments", "standalone/data", "standalone/tmp", "standalone/log",
                "standalone/configuration/standalone_xml_history").map(distribution::resolve).toList();
        try (Stream<Path> tree = Files.walk(distribution)) {
            for (Path source : (Iterable<Path>) tree::iterator) {
                if (source.startsWith(modules) || skipped.stream().anyMatch(source::startsWith)) {
                    continue;
                }
                Files.copy(source, target.resolve(distribution.relativize(source).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.createDirectories(target.resolve("standalone/deployments"));
        Path zip = distributionZip();
        String entry = distribution.getFileName() + "/standalone/configuration/" + CONFIG;
        try (ZipFile dist = new ZipFile(zip.toFile())) {
            ZipEntry config = dist.getEntry(entry);
            if (config == null) {
                throw new IllegalStateException("no " + entry + " in " + zip);
            }
            try (InputStream in = dist.getInputStream(config)) {
                Files.copy(in, target.resolve("standalone/configuration/" + CONFIG), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Runs configure.cli on the fresh server, then once more to prove it idempotent. When the second run fails or
     * changes the configuration, the configuration of the first run is put back, so that the other tests still run
     * and only {@code configureCliIsIdempotent} fails.
     */
    private void configure() throws IOException, InterruptedException {
        CliRun first = runConfigureCli("wildfly-cli.log");
        configureRuns.add(first);
        if (first.exitCode() != 0) {
            throw new IllegalStateException("configure.cli failed (exit " + first.exitCode() + "):\n" + first.output());
        }
        CliRun second = runConfigureCli("wildfly-cli-second-run.log");
        configureRuns.add(second);
        if (!second.configAfter().equals(first.configAfter())) {
            Files.writeString(home.resolve("standalone/configuration/" + CONFIG), first.configAfter());
        }
    }

    private CliRun runConfigureCli(String logName) throws IOException, InterruptedException {
        Path script = Environment.existing("sample.server-config", "server-config").resolve("wildfly/configure.cli");
        Path driver = Environment.existing("sample.jdbc-driver", "the PostgreSQL driver");
        Path work = Environment.path("sample.work-dir");
        Files.createDirectories(work);
        Path properties = work.resolve("wildfly-cli.properties");
        Files.writeString(properties, "postgresql.jar=" + driver + "\n");
        Path out = work.resolve(logName);
        Process cli = new ProcessBuilder(home.resolve("bin/jboss-cli.sh").toString(), "--file=" + script,
                "--properties=" + properties).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).start();
        int exit;
        if (cli.waitFor(3, TimeUnit.MINUTES)) {
            exit = cli.exitValue();
        } else {
            cli.destroyForcibly();
            exit = -1;
        }
        return new CliRun(exit, Files.readString(out), Files.readString(home.resolve("standalone/configuration/" + CONFIG)));
    }

    /** The runs of configure.cli on this server: the first, then the second on the configured server. */
    List<CliRun> configureRuns() {
        return List.copyOf(configureRuns);
    }

    private void launch(Settings settings) throws IOException, InterruptedException {
        Path war = Environment.existing("sample.war", "the sample WAR");
        Files.copy(war, home.resolve("standalone/deployments/ROOT.war"));
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/standalone.sh").toString(), "-c", CONFIG,
                "-Djboss.socket.binding.port-offset=" + offset, "-Djboss.bind.address=127.0.0.1",
                "-Djboss.bind.address.management=127.0.0.1"));
        settings.systemProperties().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        Path console = Environment.path("sample.work-dir").resolve("wildfly-console.log");
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(console.toFile()));
        builder.environment().putAll(settings.environment());
        builder.environment().put("SAMPLE_DB_URL", Environment.jdbcUrl());
        builder.environment().put("SAMPLE_DB_USER", Environment.DB_USER);
        if (!Environment.DB_PASSWORD.isEmpty()) {
            builder.environment().put("SAMPLE_DB_PASSWORD", Environment.DB_PASSWORD);
        }
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
        // the same heap as the Liberty tests' (WildFly's default, 512 MB, ran out once under the crash test with two CPU
        // hogs); a heap dump in the work directory if it happens again
        builder.environment().put("JBOSS_JAVA_SIZING", "-Xms64m -Xmx768m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath="
                + Environment.path("sample.work-dir"));
        process = builder.start();
        shutdownHook = new Thread(this::stop, "stop-wildfly");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Http.awaitUp(baseUri().resolve("/api/orders/none"), Duration.ofMinutes(3), this);
    }

    private static void delete(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + (8080 + offset) + "/");
    }

    @Override
    URI healthUri() {
        return URI.create("http://127.0.0.1:" + (9990 + offset) + "/health");
    }

    @Override
    Path logFile() {
        return home.resolve("standalone/log/server.log");
    }

    @Override
    Pattern errorLine() {
        return ERROR;
    }

    /** Runs one management command (e.g. {@code :suspend}) through the CLI; fails unless it succeeds. */
    void manage(String command) throws IOException, InterruptedException {
        Process cli = new ProcessBuilder(home.resolve("bin/jboss-cli.sh").toString(), "--connect",
                "--controller=127.0.0.1:" + (9990 + offset), "--command=" + command).redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes());
        if (!cli.waitFor(1, TimeUnit.MINUTES) || cli.exitValue() != 0 || !output.contains("\"outcome\" => \"success\"")) {
            cli.destroyForcibly();
            throw new IllegalStateException("WildFly management command " + command + " failed:\n" + output);
        }
    }

    @Override
    synchronized void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        List<ProcessHandle> tree = p.descendants().toList();
        try {
            Process cli = new ProcessBuilder(home.resolve("bin/jboss-cli.sh").toString(), "--connect",
                    "--controller=127.0.0.1:" + (9990 + offset), "--command=:shutdown")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            cli.waitFor(1, TimeUnit.MINUTES);
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (IOException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // already running
            }
        }
    }

    @Override
    synchronized void kill() throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException("WildFly is not running");
        }
        Process p = process;
        process = null;
        List<ProcessHandle> tree = p.descendants().toList(); // standalone.sh's JVM: SIGKILL, as a crash would
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        for (ProcessHandle jvm : tree) {
            try {
                jvm.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("WildFly (pid " + jvm.pid() + ") did not die", e);
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
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
        return "WildFly on " + baseUri() + " (management " + healthUri() + ", log " + logFile() + ")";
    }
}
