package io.sourceflow.sample.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the deployment tests read from the sample's database: the orders of a test run (customers named
 * {@code <run>-...}) and the transactional outbox.
 */
final class SampleDatabase {

    private SampleDatabase() {
    }

    /** The ids of the orders committed for {@code run}. */
    static List<String> committedOrders(String run) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection db = Environment.database();
             PreparedStatement query = db.prepareStatement("SELECT id FROM sample_order WHERE customer LIKE ?")) {
            query.setString(1, run + "-%");
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    /** How many orders of {@code run} were committed. */
    static long ordersOf(String run) throws SQLException {
        return count("SELECT count(*) FROM sample_order WHERE customer LIKE '" + run + "-%'");
    }

    /** Waits until every committed order of {@code run} is PAID. */
    static void awaitAllPaid(String run, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long notPaid = -1;
        while (System.nanoTime() < deadline) {
            notPaid = count("SELECT count(*) FROM sample_order WHERE customer LIKE '" + run + "-%' AND status <> 'PAID'");
            if (notPaid == 0) {
                return;
            }
            Thread.sleep(500);
        }
        fail(notPaid + " committed order(s) not PAID within " + timeout + " (of " + ordersOf(run) + ")");
    }

    /** Rows of the sample's outbox not yet relayed (parked ones included). */
    static long outboxRows() throws SQLException {
        return count("SELECT count(*) FROM sourceflow_outbox WHERE service = 'sourceflow-sample'");
    }

    /** Waits until the sample's outbox is empty. */
    static void awaitOutboxEmpty(Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left = -1;
        while (System.nanoTime() < deadline) {
            left = outboxRows();
            if (left == 0) {
                return;
            }
            Thread.sleep(500);
        }
        fail(left + " row(s) left in sourceflow_outbox after " + timeout);
    }

    static long count(String sql) throws SQLException {
        try (Connection db = Environment.database(); PreparedStatement query = db.prepareStatement(sql);
             ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
