package io.sourceflow.sample.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** What the deployment tests need from the machine, and how they react when it is missing. */
final class Environment {

    /** The database the sample uses in the tests (the machine's PostgreSQL, trust auth). */
    static final String DB_HOST = System.getProperty("sample.db.host", "127.0.0.1");
    static final int DB_PORT = Integer.getInteger("sample.db.port", 5432);
    static final String DB_NAME = System.getProperty("sample.db.name", "test");
    static final String DB_USER = System.getProperty("sample.db.user", "postgres");
    static final String DB_PASSWORD = System.getProperty("sample.db.password", "");

    private Environment() {
    }

    /** Under CI ({@code CI=true}) a missing prerequisite fails the test; elsewhere it skips it with the reason. */
    static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(what + " (CI=true: deployment tests do not skip)");
        }
        Assumptions.abort(what);
    }

    static Path path(String property) {
        String value = System.getProperty(property);
        Assertions.assertNotNull(value, "system property " + property + " is not set (run through mvn verify)");
        return Path.of(value).toAbsolutePath().normalize();
    }

    static Path existing(String property, String what) {
        Path p = path(property);
        require(Files.exists(p), what + " not found at " + p);
        return p;
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://" + DB_HOST + ":" + DB_PORT + "/" + DB_NAME;
    }

    static Connection database() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), DB_USER, DB_PASSWORD);
    }

    static void requireDatabase() {
        boolean up;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(DB_HOST, DB_PORT), 2000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        require(up, "PostgreSQL is not reachable at " + DB_HOST + ":" + DB_PORT);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1", e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
