package io.sourceflow.sample.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 in front of the emulator, for what the emulator cannot tell a test:
 * <ul>
 * <li>which messages it accepted: the CloudEvents ids in every SendMessage, SendMessageBatch, Publish and PublishBatch
 * request that was answered 200, counted per id (a message relayed twice shows up as a count of 2);</li>
 * <li>an outage: {@link #cut()} refuses new connections and resets the open ones until {@link #restore()}.</li>
 * </ul>
 * It reads HTTP/1.1 framing (Content-Length or chunked, interim 1xx answers) only to pair requests with answers and
 * forwards every byte unchanged.
 */
final class EmulatorProxy implements AutoCloseable {

    /** The start of a SourceFlow body as the codec writes it (docs/wire-format.md): specversion, then id. */
    private static final Pattern CLOUD_EVENT_ID = Pattern.compile("\"specversion\":\"1\\.0\",\"id\":\"([^\"]+)\"");
    private static final Set<String> SENDS = Set.of("SendMessage", "SendMessageBatch", "Publish", "PublishBatch");
    private static final Pattern QUERY_ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");

    private final int port;
    private final int targetPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "emulator-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicInteger answeredWhileCut = new AtomicInteger();
    private volatile ServerSocket listener;
    private volatile boolean closed;

    private EmulatorProxy(int port, int targetPort) {
        this.port = port;
        this.targetPort = targetPort;
    }

    /** A proxy on a free port of 127.0.0.1 forwarding to {@code target}'s port on 127.0.0.1. */
    static EmulatorProxy start(URI target) throws IOException {
        EmulatorProxy proxy = new EmulatorProxy(Environment.freePort(), target.getPort());
        proxy.restore();
        return proxy;
    }

    /** The endpoint to configure instead of the emulator's. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The emulator becomes unreachable: new connections are refused, open ones are reset. */
    synchronized void cut() throws IOException {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            current.close();
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /** The emulator is reachable again, on the same port. */
    synchronized void restore() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = socket;
        threads.execute(() -> acceptAll(socket));
    }

    /** How many times each CloudEvents id was in a send request the emulator answered 200. */
    Map<String, Integer> acceptedIds() {
        Map<String, Integer> counts = new TreeMap<>();
        accepted.forEach((id, count) -> counts.put(id, count.get()));
        return counts;
    }

    /** How many requests made while the emulator was cut off were answered anyway (an outage that leaked: 0). */
    int answeredWhileCut() {
        return answeredWhileCut.get();
    }

    /** Requests per operation (SQS/SNS action or target), for a failure message. */
    Map<String, Integer> requests() {
        Map<String, Integer> counts = new TreeMap<>();
        requests.forEach((operation, count) -> counts.put(operation, count.get()));
        return counts;
    }

    @Override
    public void close() {
        closed = true;
        try {
            cut();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }

    private void acceptAll(ServerSocket socket) {
        while (!socket.isClosed() && !closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException cut) {
                return;
            }
            Socket upstream = null;
            try {
                upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (this) {
                    if (listener != socket) { // cut while this connection was being accepted: it must not survive
                        throw new IOException("cut");
                    }
                    open.add(client);
                    open.add(upstream);
                }
                BlockingQueue<Pending> inFlight = new LinkedBlockingQueue<>();
                Socket server = upstream;
                threads.execute(() -> relay(client, server, () -> forwardRequests(client, server, inFlight)));
                threads.execute(() -> relay(client, server, () -> forwardResponses(server, client, inFlight)));
            } catch (IOException | RuntimeException e) {
                closeQuietly(client);
                if (upstream != null) {
                    closeQuietly(upstream);
                }
            }
        }
    }

    private interface Pump {
        void run() throws IOException, InterruptedException;
    }

    /** Runs one direction of a connection; when it ends, for whatever reason, both sockets are closed. */
    private void relay(Socket client, Socket upstream, Pump pump) {
        try {
            pump.run();
        } catch (IOException | InterruptedException ended) {
            // a closed connection, a cut, or the end of the test
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
            open.remove(client);
            open.remove(upstream);
        }
    }

    private void forwardRequests(Socket client, Socket upstream, BlockingQueue<Pending> inFlight)
            throws IOException, InterruptedException {
        InputStream in = new BufferedInputStream(client.getInputStream());
        OutputStream out = upstream.getOutputStream();
        while (true) {
            Head head = Head.read(in);
            if (head == null) {
                return;
            }
            boolean cut = listener == null;
            out.write(head.raw());
            out.flush(); // an "Expect: 100-continue" client waits for the answer to the head
            byte[] body = readBody(in, out, head);
            String operation = operation(head, body);
            requests.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            inFlight.put(new Pending(SENDS.contains(operation) ? cloudEventIds(head, body) : List.of(), cut));
        }
    }

    private void forwardResponses(Socket upstream, Socket client, BlockingQueue<Pending> inFlight)
            throws IOException, InterruptedException {
        InputStream in = new BufferedInputStream(upstream.getInputStream());
        OutputStream out = client.getOutputStream();
        while (true) {
            Head head = Head.read(in);
            if (head == null) {
                return;
            }
            out.write(head.raw());
            int status = head.status();
            if (status >= 100 && status < 200) {
                out.flush();
                continue; // interim: the final answer to the same request follows
            }
            readBody(in, out, head);
            out.flush();
            Pending request = inFlight.take();
            if (request.whileCut()) {
                answeredWhileCut.incrementAndGet();
            }
            if (status == 200) {
                request.ids().forEach(id -> accepted.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet());
            }
        }
    }

    /** Copies the body that follows {@code head} to {@code out} and returns it (chunk framing removed). */
    private static byte[] readBody(InputStream in, OutputStream out, Head head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = head.header("content-length");
        if (length != null) {
            copy(in, out, body, Long.parseLong(length.trim()));
        } else if ("chunked".equalsIgnoreCase(String.valueOf(head.header("transfer-encoding")).trim())) {
            while (true) {
                String sizeLine = readLine(in);
                out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                        out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    break;
                }
                copy(in, out, body, size);
                String end = readLine(in);
                out.write((end + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        } else if (head.status() > 0 && head.status() != 204 && head.status() != 304) {
            in.transferTo(out); // an answer without a length ends with the connection
        }
        return body.toByteArray();
    }

    private static void copy(InputStream in, OutputStream out, ByteArrayOutputStream body, long length) throws IOException {
        byte[] buffer = new byte[8192];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a body");
            }
            out.write(buffer, 0, n);
            body.write(buffer, 0, n);
            left -= n;
        }
    }

    private static String operation(Head head, byte[] body) {
        String target = head.header("x-amz-target");
        if (target != null) {
            return target.substring(target.indexOf('.') + 1).trim(); // AmazonSQS.SendMessageBatch
        }
        Matcher action = QUERY_ACTION.matcher(new String(body, StandardCharsets.UTF_8));
        return action.find() ? action.group(1) : "?";
    }

    /** The CloudEvents ids of the SourceFlow bodies in a send request (JSON protocol or form-encoded query protocol). */
    private static List<String> cloudEventIds(Head head, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        String contentType = String.valueOf(head.header("content-type")).toLowerCase(Locale.ROOT);
        text = contentType.contains("x-www-form-urlencoded")
                ? URLDecoder.decode(text, StandardCharsets.UTF_8)
                : text.replace("\\\"", "\"");
        List<String> ids = new ArrayList<>();
        Matcher matcher = CLOUD_EVENT_ID.matcher(text);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        return ids;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException();
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A request waiting for its answer: the CloudEvents ids it sends, and whether it was made during a cut. */
    private record Pending(List<String> ids, boolean whileCut) {
    }

    /** A request or status line with its headers, as read. */
    private record Head(byte[] raw, String firstLine, Map<String, String> headers) {

        /** The next head, or null when the connection ended before one. */
        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String first = null;
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            while (true) {
                String line;
                try {
                    line = readLine(in);
                } catch (EOFException ended) {
                    if (raw.size() == 0) {
                        return null;
                    }
                    throw ended;
                }
                raw.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (first == null) {
                    first = line;
                } else if (line.isEmpty()) {
                    return new Head(raw.toByteArray(), first, headers);
                } else {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                    }
                }
            }
        }

        String header(String name) {
            return headers.get(name);
        }

        /** The status of a response head ("HTTP/1.1 200 OK"), 0 for a request head. */
        int status() {
            if (!firstLine.startsWith("HTTP/")) {
                return 0;
            }
            String[] parts = firstLine.split(" ", 3);
            return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        }
    }
}
