package io.sourceflow.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A moto server (Python AWS emulator: SQS, SNS, KMS, STS, ...) run as a child process on
 * 127.0.0.1 and a free port, for tests against real AWS SDK clients.
 *
 * <p>The process is started through a small {@code sh} watchdog that kills moto when its
 * standard input closes, so moto also dies when the test JVM is killed without running
 * shutdown hooks. Its output goes to {@code target/moto-<port>.log}.
 */
public final class MotoServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    // sh watchdog: runs moto, kills it when our stdin (a pipe from the JVM) reaches EOF - which
    // also happens when the JVM is killed - and exits when moto exits, so isAlive() tracks moto.
    private static final String WATCHDOG = "exec 3<&0; "
            + "\"$@\" </dev/null & child=$!; "
            + "( read -r _ <&3; kill $child 2>/dev/null ) & "
            + "trap 'kill $child 2>/dev/null; exit 0' INT TERM HUP; "
            + "wait $child";

    private final List<String> command;
    private final int port;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private Thread shutdownHook;

    private MotoServer(List<String> command, int port, Path logFile) {
        this.command = command;
        this.port = port;
        this.logFile = logFile;
    }

    /**
     * Starts moto on a free port and waits until it answers HTTP.
     *
     * @throws MotoUnavailableException if neither {@code moto_server} nor {@code python3 -m moto.server}
     *     can be run, or the server does not answer in time
     */
    public static MotoServer start() {
        List<String> command = findCommand();
        int port = freePort();
        Path log = Path.of("target", "moto-" + port + ".log").toAbsolutePath();
        MotoServer server = new MotoServer(command, port, log);
        server.launch();
        return server;
    }

    /** The endpoint override for AWS SDK clients, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The region moto is used with in tests: us-east-1. */
    public Region region() {
        return Region.US_EAST_1;
    }

    /** Static test/test credentials; moto accepts any. */
    public AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    /** The file moto's output is written to. */
    public Path logFile() {
        return logFile;
    }

    /** Deletes every resource in every emulated service (POST /moto-api/reset). */
    public void reset() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("moto reset answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("moto reset failed, see " + logFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting moto", e);
        }
    }

    /** Whether the moto process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops moto (its state is lost); {@link #restart()} starts it again on the same port. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        try {
            p.getOutputStream().close(); // the watchdog kills moto and exits
        } catch (IOException ignored) {
            // the pipe is already closed: the watchdog is gone
        }
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        for (ProcessHandle child : tree) {
            awaitExit(child);
        }
        removeShutdownHook();
    }

    /** Stops and starts moto on the same port, e.g. to simulate an outage. State is lost. */
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "MotoServer[" + endpoint() + ", log " + logFile + "]";
    }

    private synchronized void launch() {
        try {
            Files.createDirectories(logFile.getParent());
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", WATCHDOG, "moto-watchdog"));
            cmd.addAll(command);
            cmd.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
            ProcessBuilder builder = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = builder.start();
        } catch (IOException e) {
            throw new MotoUnavailableException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        installShutdownHook();
        awaitHttp();
    }

    private void awaitHttp() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = tail();
                stop();
                throw new MotoUnavailableException("moto exited while starting (" + String.join(" ", command)
                        + "); log " + logFile + ":\n" + log);
            }
            try {
                http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/"))
                                .timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return; // any HTTP answer means it is serving
            } catch (ConnectException | java.net.http.HttpTimeoutException notYet) {
                pause();
            } catch (IOException notYet) {
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new MotoUnavailableException("interrupted while waiting for moto", e);
            }
        }
        String log = tail();
        stop();
        throw new MotoUnavailableException("moto did not answer on " + endpoint() + " within " + START_TIMEOUT
                + "; log " + logFile + ":\n" + log);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void installShutdownHook() {
        if (shutdownHook == null) {
            Process p = process;
            shutdownHook = new Thread(() -> {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }, "moto-shutdown-" + port);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to; nothing to remove
            }
            shutdownHook = null;
        }
    }

    private static void awaitExit(ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
        }
    }

    private static List<String> findCommand() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "moto_server"))) {
                return List.of(Path.of(dir, "moto_server").toString());
            }
        }
        if (pythonHasMoto()) {
            return List.of("python3", "-m", "moto.server");
        }
        throw new MotoUnavailableException("moto is not installed: neither 'moto_server' is on PATH nor can"
                + " 'python3 -m moto.server' run (install it with: pip install 'moto[server]')");
    }

    private static boolean pythonHasMoto() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import moto.server")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (OutputStream ignored = p.getOutputStream()) {
                // no input
            }
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** moto could not be started; the message names what is missing. */
    public static final class MotoUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MotoUnavailableException(String message) {
            super(message);
        }

        MotoUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
