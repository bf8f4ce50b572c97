package io.sourceflow.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the benchmark's data source sent to the database, counted at the JDBC API (so exact, whoever issued it:
 * the application, Hibernate for the outbox store, the relay): executed statements per verb and table (one per
 * {@code execute*} call, a JDBC batch counts as one), rows they changed, and the database transactions.
 *
 * <p>Keys: {@code "insert outbox"}, {@code "delete outbox"}, {@code "select outbox"}, {@code "insert order"}, ...,
 * {@code "rows delete outbox"} (rows changed), {@code "tx"} (JTA transactions the data source was enlisted in, each one
 * database transaction, committed in one phase) and {@code "autocommit"} (connections used outside a transaction).
 */
final class SqlCounts {

    static final String OUTBOX_TABLE = "sourceflow_outbox";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** The counter key of a statement: verb and table ({@code outbox}, {@code order} or {@code other}). */
    static String key(String sql) {
        String s = sql.strip().toLowerCase(Locale.ROOT);
        int space = 0;
        while (space < s.length() && !Character.isWhitespace(s.charAt(space))) {
            space++;
        }
        String verb = s.substring(0, space);
        String table = s.contains(OUTBOX_TABLE) ? "outbox" : s.contains(OutboxDatabase.ORDERS) ? "order" : "other";
        return verb + " " + table;
    }

    void add(String key, long n) {
        counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    long get(String key) {
        LongAdder adder = counts.get(key);
        return adder == null ? 0 : adder.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((k, v) -> {
            if (v.sum() != 0) {
                result.put(k, v.sum());
            }
        });
        return result;
    }

    void reset() {
        counts.clear();
    }
}
