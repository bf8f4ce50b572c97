package io.sourceflow.idempotency.jpa;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;

import javax.sql.DataSource;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * A JTA data source as an application server gives one, over an XA data source: inside a transaction every
 * {@link #getConnection()} returns the same physical connection, enlisted once with the transaction manager, and
 * closed when the transaction completes; outside one, a plain auto-commit connection. Sharing one connection per
 * transaction is what servers do for one data source, and keeps a transaction on one XA branch, so Narayana commits
 * it in one phase (PostgreSQL here runs with {@code max_prepared_transactions = 0}).
 */
final class EnlistedDataSource implements DataSource {

    private record Enlisted(XAConnection xa, Connection handle) {
    }

    private final XADataSource xaDataSource;
    private final TransactionManager tm;
    private final Map<Transaction, Enlisted> byTransaction = new ConcurrentHashMap<>();

    EnlistedDataSource(XADataSource xaDataSource, TransactionManager tm) {
        this.xaDataSource = xaDataSource;
        this.tm = tm;
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            Transaction tx = tm.getTransaction();
            if (tx == null || tx.getStatus() == Status.STATUS_NO_TRANSACTION) {
                XAConnection xa = xaDataSource.getXAConnection();
                return wrap(xa.getConnection(), xa);
            }
            Enlisted enlisted = byTransaction.get(tx);
            if (enlisted == null) {
                enlisted = enlist(tx);
            }
            return wrap(enlisted.handle(), null);
        } catch (jakarta.transaction.SystemException e) {
            throw new SQLException("transaction manager failed: " + e, e);
        }
    }

    private Enlisted enlist(Transaction tx) throws SQLException {
        XAConnection xa = xaDataSource.getXAConnection();
        try {
            Enlisted enlisted = new Enlisted(xa, xa.getConnection());
            if (!tx.enlistResource(xa.getXAResource())) {
                throw new SQLException("could not enlist in " + tx);
            }
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    byTransaction.remove(tx);
                    try {
                        xa.close();
                    } catch (SQLException ignored) {
                        // the connection is discarded either way
                    }
                }
            });
            byTransaction.put(tx, enlisted);
            return enlisted;
        } catch (SQLException e) {
            xa.close();
            throw e;
        } catch (Exception e) {
            xa.close();
            throw new SQLException("could not enlist a connection in " + tx + ": " + e, e);
        }
    }

    /** A handle whose close() closes the physical connection outside a transaction and is a no-op inside one. */
    private static Connection wrap(Connection handle, XAConnection ownedOutsideTransaction) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        if (ownedOutsideTransaction != null) {
                            ownedOutsideTransaction.close();
                        }
                        return null;
                    }
                    try {
                        return method.invoke(handle, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

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
