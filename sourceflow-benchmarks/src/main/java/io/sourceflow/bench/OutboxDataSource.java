package io.sourceflow.bench;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

import javax.sql.DataSource;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A JTA data source as an application server gives one, pooled: inside a transaction every {@link #getConnection()}
 * returns the same physical connection, enlisted once (so Narayana commits in one phase: PostgreSQL runs with
 * {@code max_prepared_transactions = 0}), back in the pool when the transaction completed; outside one, a pooled
 * auto-commit connection. Adapted from {@code sourceflow-jpa-idempotency}'s test {@code EnlistedDataSource}, which
 * opens a new connection per transaction (a PostgreSQL backend fork each time would dominate a throughput run).
 *
 * <p>Every statement is counted in {@link #counts()} (see {@link SqlCounts}); the PostgreSQL backends of the pool are
 * known by pid, so their CPU time can be read from {@code /proc}.
 */
final class OutboxDataSource implements DataSource, AutoCloseable {

    private record Pooled(XAConnection xa, int backendPid) {
    }

    private final XADataSource xaDataSource;
    private final TransactionManager tm;
    private final Semaphore permits;
    private final LinkedBlockingDeque<Pooled> idle = new LinkedBlockingDeque<>();
    private final List<Pooled> all = new CopyOnWriteArrayList<>();
    private final Map<Transaction, Connection> byTransaction = new ConcurrentHashMap<>();
    private final SqlCounts counts = new SqlCounts();
    private volatile boolean closed;

    OutboxDataSource(XADataSource xaDataSource, TransactionManager tm, int maxConnections) {
        this.xaDataSource = xaDataSource;
        this.tm = tm;
        this.permits = new Semaphore(maxConnections);
    }

    SqlCounts counts() {
        return counts;
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            Transaction tx = tm.getTransaction();
            if (tx == null || tx.getStatus() == Status.STATUS_NO_TRANSACTION) {
                Pooled pooled = borrow();
                counts.add("autocommit", 1);
                return counting(pooled.xa().getConnection(), pooled);
            }
            Connection enlisted = byTransaction.get(tx);
            if (enlisted == null) {
                enlisted = enlist(tx);
            }
            return counting(enlisted, null);
        } catch (SystemException e) {
            throw new SQLException("transaction manager failed: " + e, e);
        }
    }

    private Connection enlist(Transaction tx) throws SQLException {
        Pooled pooled = borrow();
        try {
            Connection handle = pooled.xa().getConnection();
            if (!tx.enlistResource(pooled.xa().getXAResource())) {
                throw new SQLException("could not enlist in " + tx);
            }
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    byTransaction.remove(tx);
                    release(pooled, handle);
                }
            });
            byTransaction.put(tx, handle);
            counts.add("tx", 1);
            return handle;
        } catch (SQLException e) {
            discard(pooled);
            throw e;
        } catch (Exception e) {
            discard(pooled);
            throw new SQLException("could not enlist a connection in " + tx + ": " + e, e);
        }
    }

    private Pooled borrow() throws SQLException {
        if (closed) {
            throw new SQLException("the data source is closed");
        }
        try {
            if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new SQLException("no connection free within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException(e);
        }
        Pooled pooled = idle.pollFirst();
        if (pooled != null) {
            return pooled;
        }
        try {
            XAConnection xa = xaDataSource.getXAConnection();
            int pid;
            try (Connection c = xa.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            pooled = new Pooled(xa, pid);
            all.add(pooled);
            return pooled;
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void release(Pooled pooled, Connection handle) {
        try {
            handle.close(); // the logical handle; the physical connection stays open
            if (closed) {
                discard(pooled);
                return;
            }
            idle.offerFirst(pooled);
            permits.release();
        } catch (SQLException | RuntimeException e) {
            discard(pooled);
        }
    }

    private void discard(Pooled pooled) {
        all.remove(pooled);
        try {
            pooled.xa().close();
        } catch (SQLException ignored) {
            // gone either way
        }
        permits.release();
    }

    /** CPU time (user + system) the pool's PostgreSQL backends used so far, in nanoseconds; -1 where /proc is missing. */
    long backendCpuNanos() {
        long ticks = 0;
        for (Pooled pooled : all) {
            Path stat = Path.of("/proc", Integer.toString(pooled.backendPid()), "stat");
            try {
                String line = Files.readString(stat);
                String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            } catch (Exception e) {
                return -1;
            }
        }
        return ticks * 10_000_000L; // USER_HZ = 100
    }

    int size() {
        return all.size();
    }

    @Override
    public void close() {
        closed = true;
        Pooled pooled;
        while ((pooled = idle.pollFirst()) != null) {
            all.remove(pooled);
            try {
                pooled.xa().close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    // ------------------------------------------------------------------------------------------- counting proxies

    /**
     * A handle that counts the statements it runs. Its close() gives a connection borrowed outside a transaction back
     * to the pool and is a no-op inside one (the transaction's end does).
     */
    private Connection counting(Connection handle, Pooled ownedOutsideTransaction) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("close") && method.getParameterCount() == 0) {
                        if (ownedOutsideTransaction != null) {
                            release(ownedOutsideTransaction, handle);
                        }
                        return null;
                    }
                    Object result = invoke(handle, method, args);
                    if (name.equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                        return statement(PreparedStatement.class, (Statement) result, SqlCounts.key(sql));
                    }
                    if (name.equals("createStatement")) {
                        return statement(Statement.class, (Statement) result, null);
                    }
                    return result;
                });
    }

    private Statement statement(Class<? extends Statement> type, Statement target, String preparedKey) {
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> {
                    String name = method.getName();
                    Object result = invoke(target, method, args);
                    if (name.startsWith("execute")) {
                        String key = args != null && args.length > 0 && args[0] instanceof String sql ? SqlCounts.key(sql) : preparedKey;
                        if (key != null) {
                            counts.add(key, 1);
                            if (key.startsWith("delete ") || key.startsWith("update ")) {
                                if (result instanceof Integer rows && name.equals("executeUpdate")) {
                                    counts.add("rows " + key, rows);
                                } else if (result instanceof Long rows) {
                                    counts.add("rows " + key, rows);
                                } else if (result instanceof int[] rows) {
                                    for (int r : rows) {
                                        counts.add("rows " + key, Math.max(r, 0));
                                    }
                                }
                            }
                            if (key.endsWith(" outbox") && !key.startsWith("insert ")) {
                                // which thread pool ran the relay's statements (a delete on the timer thread holds its lingers)
                                counts.add("thread " + key + " on " + pool(Thread.currentThread().getName()), 1);
                            }
                        }
                    }
                    return result;
                });
    }

    /** A thread's pool: its name without the trailing number ("sourceflow-scheduler-1" → "sourceflow-scheduler"). */
    static String pool(String threadName) {
        return threadName.replaceFirst("[-#]?\\d+$", "");
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    // ------------------------------------------------------------------------------------------- DataSource

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
