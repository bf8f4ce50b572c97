package io.sourceflow.bench;

import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.spi.OutboxEntry;
import io.sourceflow.spi.OutboxRow;
import io.sourceflow.spi.OutboxStatus;
import io.sourceflow.spi.OutboxStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

import javax.sql.DataSource;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Diagnostic only ({@code -Dbench.outbox.jdbc-store=true}): the {@link OutboxStore} SPI on plain JDBC (PostgreSQL
 * SQL) over the same table and data source, instead of {@code sourceflow-jpa-idempotency}'s {@code JpaOutboxStore}
 * (Hibernate session, JPQL, {@code @Transactional} interceptors). It shows what the JPA store's layers cost per
 * message; it is not a shipped alternative (no MariaDB, attributes in its own JSON form: it reads only its own rows).
 */
final class JdbcOutboxStore implements OutboxStore {

    private static final String COLUMNS = "id, destination_kind, destination, group_id, message_id, logical_type, body, "
            + "attributes, created_at, attempts";

    private final DataSource ds;
    private final TransactionManager tm;
    private final String service;

    JdbcOutboxStore(DataSource ds, TransactionManager tm, String service) {
        this.ds = ds;
        this.tm = tm;
        this.service = service;
    }

    /** Produces the store in a deployment whose configuration names it ({@code bench.outbox.jdbc-store}). */
    @ApplicationScoped
    public static class Producer {
        @Inject
        DataSource dataSource;

        @Produces
        @ApplicationScoped
        OutboxStore store(SourceFlowConfig config) {
            return new JdbcOutboxStore(dataSource, OutboxBeans.transactionManager(), config.serviceName().orElse(""));
        }
    }

    @Override
    public long append(OutboxEntry entry, Duration lease) {
        try {
            if (tm.getStatus() != Status.STATUS_ACTIVE) {
                throw new IllegalStateException("no active transaction to store the outbox row in");
            }
        } catch (jakarta.transaction.SystemException e) {
            throw new IllegalStateException(e);
        }
        Instant now = Instant.now();
        try (Connection c = ds.getConnection(); PreparedStatement insert = c.prepareStatement("insert into "
                + SqlCounts.OUTBOX_TABLE + " (service, destination_kind, destination, group_id, message_id, logical_type, body, "
                + "attributes, created_at, lease_until, attempts, parked) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, false) returning id")) {
            insert.setString(1, service);
            insert.setString(2, entry.destinationKind());
            insert.setString(3, entry.destination());
            insert.setString(4, entry.groupId().orElse(null));
            insert.setString(5, entry.messageId());
            insert.setString(6, entry.logicalType());
            insert.setString(7, entry.body());
            insert.setString(8, encode(entry.attributes()));
            insert.setTimestamp(9, Timestamp.from(now));
            insert.setTimestamp(10, Timestamp.from(now.plus(lease)));
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            markRollbackOnly();
            throw new IllegalStateException("could not store the outbox row: " + e, e);
        }
    }

    @Override
    public List<OutboxRow> claimExpired(int limit, Duration lease) {
        return outsideTransaction(c -> {
            Instant now = Instant.now();
            String token = UUID.randomUUID().toString();
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("select id from " + SqlCounts.OUTBOX_TABLE
                    + " where service = ? and parked = false and lease_until < ? order by id limit ?")) {
                select.setString(1, service);
                select.setTimestamp(2, Timestamp.from(now));
                select.setInt(3, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (ids.isEmpty()) {
                return List.of();
            }
            try (PreparedStatement update = c.prepareStatement("update " + SqlCounts.OUTBOX_TABLE
                    + " set lease_until = ?, lease_token = ? where id = any(?) and parked = false and lease_until < ?")) {
                update.setTimestamp(1, Timestamp.from(now.plus(lease)));
                update.setString(2, token);
                update.setArray(3, c.createArrayOf("bigint", ids.toArray()));
                update.setTimestamp(4, Timestamp.from(now));
                update.executeUpdate();
            }
            List<OutboxRow> rows = new ArrayList<>();
            try (PreparedStatement taken = c.prepareStatement("select " + COLUMNS + " from " + SqlCounts.OUTBOX_TABLE
                    + " where lease_token = ? order by id")) {
                taken.setString(1, token);
                try (ResultSet rs = taken.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new OutboxRow(rs.getLong(1), new OutboxEntry(rs.getString(2), rs.getString(3),
                                Optional.ofNullable(rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7),
                                decode(rs.getString(8))), rs.getTimestamp(9).toInstant(), rs.getInt(10)));
                    }
                }
            }
            return rows;
        });
    }

    @Override
    public void delete(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        outsideTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("delete from " + SqlCounts.OUTBOX_TABLE + " where id = any(?)")) {
                Array array = c.createArrayOf("bigint", ids.toArray());
                delete.setArray(1, array);
                return delete.executeUpdate();
            }
        });
    }

    @Override
    public void failed(Collection<Long> ids, String error) {
        if (ids.isEmpty()) {
            return;
        }
        outsideTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("update " + SqlCounts.OUTBOX_TABLE
                    + " set attempts = attempts + 1, last_error = ? where id = any(?)")) {
                update.setString(1, truncate(error));
                update.setArray(2, c.createArrayOf("bigint", ids.toArray()));
                return update.executeUpdate();
            }
        });
    }

    @Override
    public void park(long id, String error) {
        outsideTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("update " + SqlCounts.OUTBOX_TABLE
                    + " set parked = true, attempts = attempts + 1, last_error = ? where id = ?")) {
                update.setString(1, truncate(error));
                update.setLong(2, id);
                return update.executeUpdate();
            }
        });
    }

    @Override
    public OutboxStatus status() {
        return outsideTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement("select count(*) filter (where not parked), "
                    + "count(*) filter (where parked), min(created_at) filter (where not parked) from " + SqlCounts.OUTBOX_TABLE
                    + " where service = ?")) {
                select.setString(1, service);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    Timestamp oldest = rs.getTimestamp(3);
                    return new OutboxStatus(rs.getLong(1), Optional.ofNullable(oldest).map(Timestamp::toInstant), rs.getLong(2));
                }
            }
        });
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs on an auto-commit connection, with any transaction of the calling thread suspended meanwhile. */
    private <T> T outsideTransaction(Work<T> work) {
        Transaction suspended = null;
        try {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                suspended = tm.suspend();
            }
            try (Connection c = ds.getConnection()) {
                return work.run(c);
            } finally {
                if (suspended != null) {
                    tm.resume(suspended);
                }
            }
        } catch (SQLException | jakarta.transaction.SystemException | jakarta.transaction.InvalidTransactionException e) {
            throw new IllegalStateException("outbox store: " + e, e);
        }
    }

    private void markRollbackOnly() {
        try {
            tm.setRollbackOnly();
        } catch (Exception ignored) {
            // the caller fails either way
        }
    }

    private static String encode(Map<String, String> attributes) {
        JsonObjectBuilder json = Json.createObjectBuilder();
        attributes.forEach(json::add);
        return json.build().toString();
    }

    private static Map<String, String> decode(String text) {
        JsonObject json = Json.createReader(new StringReader(text)).readObject();
        Map<String, String> map = new HashMap<>();
        json.forEach((k, v) -> map.put(k, v.getValueType() == JsonValue.ValueType.STRING ? json.getString(k) : v.toString()));
        return map;
    }

    private static String truncate(String error) {
        String text = error == null ? "" : error;
        return text.length() <= 2000 ? text : text.substring(0, 1999) + "…";
    }
}
