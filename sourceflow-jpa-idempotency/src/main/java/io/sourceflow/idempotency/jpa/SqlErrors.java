package io.sourceflow.idempotency.jpa;

import java.sql.SQLException;

/** Classifies database errors by SQLState and vendor code, never by message text. */
final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * {@code true} if the cause chain holds a unique/primary-key violation: SQLState 23505 (PostgreSQL, H2, Derby,
     * DB2, HSQLDB), or 23000 with MySQL/MariaDB 1062, SQL Server 2627/2601 or Oracle 1.
     */
    static boolean isUniqueViolation(Throwable t) {
        for (SQLException e : sqlExceptions(t)) {
            String state = e.getSQLState();
            if ("23505".equals(state)) {
                return true;
            }
            if ("23000".equals(state)) {
                int code = e.getErrorCode();
                if (code == 1062 || code == 2627 || code == 2601 || code == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code true} for errors worth retrying the whole transaction: serialization failure or deadlock (40001,
     * PostgreSQL 40P01, MySQL/MariaDB 1213) and lock wait timeout (MySQL/MariaDB 1205, PostgreSQL 55P03).
     */
    static boolean isTransientLockError(Throwable t) {
        for (SQLException e : sqlExceptions(t)) {
            String state = e.getSQLState();
            int code = e.getErrorCode();
            if ("40001".equals(state) || "40P01".equals(state) || "55P03".equals(state) || code == 1213 || code == 1205) {
                return true;
            }
        }
        return false;
    }

    private static Iterable<SQLException> sqlExceptions(Throwable t) {
        java.util.List<SQLException> found = new java.util.ArrayList<>();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (c instanceof SQLException sql) {
                for (SQLException s = sql; s != null && seen.add(s); s = s.getNextException()) {
                    found.add(s);
                }
                found.add(sql);
            }
        }
        return found;
    }
}
