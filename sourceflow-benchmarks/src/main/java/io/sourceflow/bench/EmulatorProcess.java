package io.sourceflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An emulator (ElasticMQ or moto) in its own process on 127.0.0.1 and a free port, never in the benchmark
 * JVM. Started through a small {@code sh} watchdog that kills it when our standard input closes, so it also
 * dies when the benchmark JVM is killed. Output goes to {@code target/<name>-<port>.log}.
 */
final class EmulatorProcess implements AutoCloseable {

    // the same watchdog as the library's test MotoServer
    private static final String WATCHDOG = "exec 3<&0; "
            + "\"$@\" </dev/null & child=$!; "
            + "( read -r _ <&3; kill $child 2>/dev/null ) & "
            + "trap 'kill $child 2>/dev/null; exit 0' INT TERM HUP; "
            + "wait $child";

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private EmulatorProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** ElasticMQ standalone (org.elasticmq.server.Main) with the class path Maven wrote to {@code classpathFile}. */
    static EmulatorProcess elasticMq(Path classpathFile, Path targetDir) {
        int port = freePort();
        try {
            // ElasticMQ's own dependencies (provided scope) first; those it shares with the benchmark (slf4j, ...) were
            // mediated into compile scope by Maven, so the benchmark's class path follows
            String classpath = Files.readString(classpathFile).trim() + java.io.File.pathSeparator
                    + System.getProperty("java.class.path");
            Path conf = targetDir.resolve("elasticmq-" + port + ".conf");
            Files.writeString(conf, """
                    include classpath("application.conf")
                    node-address { protocol = http, host = "127.0.0.1", port = %d, context-path = "" }
                    rest-sqs { enabled = true, bind-port = %d, bind-hostname = "127.0.0.1", sqs-limits = strict }
                    rest-stats { enabled = false }
                    generate-node-address = false
                    """.formatted(port, port));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
            String extra = System.getProperty("bench.elasticmq.jvm-args", "").trim(); // e.g. a JFR recording, for profiling
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(List.of("-Dconfig.file=" + conf, "-Dlogback.configurationFile=" + writeLogback(targetDir),
                    "-cp", classpath, "org.elasticmq.server.Main"));
            return start("elasticmq", port, targetDir, command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String writeLogback(Path targetDir) throws IOException {
        Path file = targetDir.resolve("elasticmq-logback.xml");
        Files.writeString(file, """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="STDOUT"/></root>
                  <logger name="org.elasticmq.server.Main" level="INFO"/>
                </configuration>
                """);
        return file.toString();
    }

    /** moto ({@code moto_server}, or {@code python3 -m moto.server}) for KMS. */
    static EmulatorProcess moto(Path targetDir) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "moto_server"))) {
                command.add(Path.of(dir, "moto_server").toString());
                break;
            }
        }
        if (command.isEmpty()) {
            command.addAll(List.of("python3", "-m", "moto.server"));
        }
        command.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
        return start("moto", port, targetDir, command);
    }

    private static EmulatorProcess start(String name, int port, Path targetDir, List<String> command) {
        try {
            Files.createDirectories(targetDir);
            Path log = targetDir.resolve(name + "-" + port + ".log");
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", WATCHDOG, name + "-watchdog"));
            cmd.addAll(command);
            Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            EmulatorProcess emulator = new EmulatorProcess(name, port, log, process);
            Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, name + "-stop"));
            emulator.awaitPort(Duration.ofSeconds(60));
            return emulator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private void awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited while starting; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeout + "; see " + log);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
    }

    /** CPU time (user + system) the emulator's processes have used so far, from /proc (0 where there is none). */
    long cpuNanos() {
        long ticks = 0;
        for (ProcessHandle handle : process.descendants().toList()) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            } catch (IOException | RuntimeException gone) {
                // not on Linux, or the process ended
            }
        }
        return ticks * 10_000_000L; // USER_HZ = 100 on Linux
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // watchdog gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        for (ProcessHandle child : tree) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
