package io.sourceflow.idempotency.jpa;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.XADataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** One of the machine's real databases, reached through real JDBC connections. */
enum TestDatabase {

    POSTGRESQL("PostgreSQL", "jdbc:postgresql://127.0.0.1:5432/test?connectTimeout=3", "postgres", "",
            "META-INF/sourceflow/idempotency-postgresql.sql", "META-INF/sourceflow/outbox-postgresql.sql"),
    MARIADB("MariaDB", "jdbc:mariadb://127.0.0.1:3306/test?connectTimeout=3000", "root", "",
            "META-INF/sourceflow/idempotency-mariadb.sql", "META-INF/sourceflow/outbox-mariadb.sql");

    final String label;
    final String url;
    final String user;
    final String password;
    final List<String> ddlScripts;

    TestDatabase(String label, String url, String user, String password, String... ddlScripts) {
        this.label = label;
        this.url = url;
        this.user = user;
        this.password = password;
        this.ddlScripts = List.of(ddlScripts);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    XADataSource xaDataSource() {
        try {
            if (this == POSTGRESQL) {
                PGXADataSource ds = new PGXADataSource();
                ds.setUrl(url);
                ds.setUser(user);
                ds.setPassword(password);
                return ds;
            }
            MariaDbDataSource ds = new MariaDbDataSource(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fails (CI=true) or skips the calling test class, naming the database, when it cannot be reached; otherwise
     * creates the tables with the DDL scripts shipped in the jar.
     */
    void requireAndCreateSchema() {
        try (Connection c = connect()) {
            for (String script : ddlScripts) {
                runScript(c, script);
            }
        } catch (SQLException e) {
            String reason = label + " is not reachable at " + url + " as " + user + " (" + e.getMessage()
                    + "); start it (.ci/run does) to run the JPA idempotency tests on it";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(reason, e);
            }
            Assumptions.abort(reason);
        }
    }

    private static void runScript(Connection c, String ddlScript) throws SQLException {
        String sql;
        try (InputStream in = TestDatabase.class.getClassLoader().getResourceAsStream(ddlScript)) {
            if (in == null) {
                throw new IllegalStateException(ddlScript + " is not on the class path");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder statement = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (!line.strip().startsWith("--")) {
                statement.append(line).append('\n');
            }
        }
        try (Statement s = c.createStatement()) {
            for (String part : statement.toString().split(";")) {
                if (!part.isBlank()) {
                    s.execute(part);
                }
            }
        }
    }

    void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e, e);
        }
    }

    long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e, e);
        }
    }
}
