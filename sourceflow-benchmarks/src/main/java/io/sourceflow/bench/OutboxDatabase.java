package io.sourceflow.bench;

import org.postgresql.xa.PGXADataSource;

import javax.sql.XADataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The machine's PostgreSQL (as the JPA module's tests use it: 127.0.0.1:5432, database {@code test}, user
 * {@code postgres}, trust auth; {@code bench.outbox.jdbc-url}, {@code bench.outbox.jdbc-user} override). The outbox
 * table comes from the DDL script shipped in {@code sourceflow-jpa-idempotency}; the application's order table is the
 * benchmark's own. Both are shared with whoever else uses the database (other builds' tests): this benchmark only ever
 * touches its own rows (its own service names and order ids), never truncates.
 */
final class OutboxDatabase {

    static final String ORDERS = "sourceflow_bench_order";
    private static final String OUTBOX_DDL = "META-INF/sourceflow/outbox-postgresql.sql";

    final String url = System.getProperty("bench.outbox.jdbc-url", "jdbc:postgresql://127.0.0.1:5432/test?connectTimeout=3");
    final String user = System.getProperty("bench.outbox.jdbc-user", "postgres");
    final String password = System.getProperty("bench.outbox.jdbc-password", "");

    String url() {
        return url;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    XADataSource xaDataSource() {
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    /**
     * Whether PostgreSQL answers; if so, creates the outbox table (the shipped script, idempotent) and the order table.
     *
     * @return null when ready, else why not
     */
    String prepare() {
        try (Connection c = connect()) {
            for (int attempt = 1; ; attempt++) {
                try (Statement s = c.createStatement()) {
                    for (String part : script(OUTBOX_DDL).split(";")) {
                        if (!part.isBlank()) {
                            s.execute(part);
                        }
                    }
                    s.execute("create table if not exists " + ORDERS + " (order_id varchar(64) not null primary key, "
                            + "placed_at timestamp(6) with time zone not null, amount_cents bigint not null)");
                    return null;
                } catch (SQLException e) {
                    // "if not exists" races with another build creating the same table at the same moment (23505, 42P07)
                    boolean race = "23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState());
                    if (!race || attempt == 3) {
                        throw new IllegalStateException("creating the benchmark's tables failed: " + e, e);
                    }
                    Thread.sleep(200);
                }
            }
        } catch (SQLException e) {
            return "PostgreSQL is not reachable at " + url + " as " + user + " (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PostgreSQL's version string. */
    String version() {
        return query("show server_version") + ", synchronous_commit=" + query("show synchronous_commit") + ", fsync="
                + query("show fsync");
    }

    String query(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e, e);
        }
    }

    /**
     * PostgreSQL's WAL counters (pg_stat_wal, PostgreSQL 14+): {records, bytes, syncs}, database-cluster-wide (so
     * including whatever else wrote meanwhile); zeros where unavailable.
     */
    long[] wal() {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select wal_records, wal_bytes, wal_sync from pg_stat_wal")) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        } catch (SQLException e) {
            return new long[3];
        }
    }

    long count(String sql) {
        return Long.parseLong(query(sql));
    }

    void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e, e);
        }
    }

    private static String script(String resource) {
        String sql;
        try (InputStream in = OutboxDatabase.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path (sourceflow-jpa-idempotency)");
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
        return statement.toString();
    }
}
