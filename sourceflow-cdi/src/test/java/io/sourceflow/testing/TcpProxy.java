package io.sourceflow.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on 127.0.0.1 in front of an emulator, to simulate an outage without losing the
 * emulator's state: {@link #cutOff()} closes the listening socket and every open connection, {@link #restore()}
 * listens again on the same port. {@link #hold()} simulates an endpoint that accepts connections but never
 * answers (a hung call): open connections break, new ones are accepted and left unanswered until
 * {@link #release()} forwards them, requests included, as if the endpoint had only been slow.
 */
public final class TcpProxy implements AutoCloseable {

    private final int port;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Socket> held = new java.util.ArrayList<>();
    private volatile ServerSocket server;
    private boolean holding;

    private TcpProxy(int port, InetSocketAddress target) {
        this.port = port;
        this.target = target;
    }

    /** Starts forwarding a free local port to the target's host and port. */
    public static TcpProxy to(URI target) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        TcpProxy proxy = new TcpProxy(port, new InetSocketAddress(target.getHost(), target.getPort()));
        proxy.restore();
        return proxy;
    }

    /** The proxy's endpoint, to give to the library instead of the emulator's. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Refuses new connections and breaks open ones. */
    public synchronized void cutOff() throws IOException {
        ServerSocket current = server;
        server = null;
        if (current != null) {
            current.close();
        }
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
        for (Socket socket : held) {
            socket.close();
        }
        held.clear();
    }

    /** Breaks open connections; from now on accepts connections but neither forwards nor answers them. */
    public synchronized void hold() throws IOException {
        holding = true;
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Forwards the held connections (with what their clients sent meanwhile) and new ones again. */
    public synchronized void release() throws IOException {
        holding = false;
        for (Socket client : held) {
            if (!client.isClosed()) {
                forward(client);
            }
        }
        held.clear();
    }

    /** Accepts connections again on the same port. */
    public synchronized void restore() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket listening = new ServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = listening;
        Thread acceptor = new Thread(() -> accept(listening), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Connections accepted while holding and not yet released: clients waiting for an answer. */
    public synchronized int heldConnections() {
        return held.size();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                synchronized (this) {
                    if (holding) {
                        held.add(client);
                        continue;
                    }
                    forward(client);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void forward(Socket client) throws IOException {
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // connection broken: close both sides
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        cutOff();
    }
}
