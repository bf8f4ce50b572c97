package io.sourceflow.bench;

import io.sourceflow.CommandBus;
import io.sourceflow.aws.SourceFlowExecutors;
import io.sourceflow.idempotency.jpa.JpaIdempotencyExtension;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The transactional-outbox case (docs/benchmarks.md, "Transactional outbox"): application transactions on Narayana
 * JTA against PostgreSQL, each writing one order row (plain JDBC on the enlisted data source) and sending one command
 * through {@link CommandBus} to an SQS queue on ElasticMQ, then committing. Two deployments that differ only in
 * {@code sourceflow.outbox.enabled}, alive for the whole case, each with its own pooled data source, queue and
 * service name; runs alternate between them.
 */
final class OutboxScenario implements AutoCloseable {

    /** One of the two deployments. */
    static final class Side {
        final boolean outbox;
        /** {@code jpa} (the shipped JpaOutboxStore), {@code jdbc} (diagnostic {@link JdbcOutboxStore}), or none. */
        final String store;
        final String service;
        final String queue;
        final OutboxDataSource dataSource;
        final Deployment deployment;
        final CommandBus bus;
        String queueUrl;

        Side(String store, String service, String queue, OutboxDataSource dataSource, Deployment deployment) {
            this.outbox = !store.equals("none");
            this.store = store;
            this.service = service;
            this.queue = queue;
            this.dataSource = dataSource;
            this.deployment = deployment;
            this.bus = deployment.select(CommandBus.class);
        }

        String label() {
            return !outbox ? "outbox off" : store.equals("jpa") ? "outbox on" : "outbox on (JDBC store)";
        }
    }

    /**
     * What one run measured.
     *
     * @param rate          committed transactions per second (first begin to last commit)
     * @param deliveredRate transactions per second from the first begin until the last message was accepted by SQS
     * @param jvmCpuMicros  this JVM's CPU per transaction, its JIT compiler threads' included
     * @param jitCpuMicros  the JIT compiler threads' part of it
     * @param latencies     commit returned → SQS accepted, ns, sorted (after the warm-up share for paced runs)
     * @param txNanos       begin → commit returned, ns, sorted
     * @param sql           statements, rows and transactions, counted at JDBC, until every row was deleted
     * @param acceptLagMs   last commit → last acceptance
     */
    record Result(boolean outbox, int n, double rate, long[] latencies, long[] txNanos, Map<String, Long> sql,
                  long sendBatches, long duplicates, double jvmCpuMicros, double dbCpuMicros, double emulatorCpuMicros,
                  double acceptLagMs, double windowSeconds, double machineBusy, double loadAverage, long[] timerLateness,
                  long[] wal, double deliveredRate, double jitCpuMicros) {

        double perMessage(String key) {
            return (double) sql.getOrDefault(key, 0L) / n;
        }
    }

    private static final String INSERT_ORDER = "insert into " + OutboxDatabase.ORDERS
            + " (order_id, placed_at, amount_cents) values (?, ?, ?)";

    private final OutboxDatabase db;
    private final EmulatorProcess elasticMq;
    private final SqsClient sqs;
    private final String payload;
    private final int threads;
    /** Order rows the application inserts per transaction ({@code bench.outbox.rows}, default 1): a heavier transaction. */
    private final int rowsPerTransaction = Integer.getInteger("bench.outbox.rows", 1);
    private final TransactionManager tm;
    private final String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Side> sides = new ArrayList<>();
    private int runs;

    private OutboxScenario(OutboxDatabase db, EmulatorProcess elasticMq, SqsClient sqs, String payload, int threads) {
        this.db = db;
        this.elasticMq = elasticMq;
        this.sqs = sqs;
        this.payload = payload;
        this.threads = threads;
        this.tm = OutboxBeans.transactionManager();
    }

    /** Starts both deployments and sends one transaction through each (queue creation, first JIT, Hibernate's start). */
    static OutboxScenario start(OutboxDatabase db, EmulatorProcess elasticMq, SqsClient sqs, String payload, int threads,
                                boolean jdbcStore) {
        OutboxScenario scenario = new OutboxScenario(db, elasticMq, sqs, payload, threads);
        try {
            scenario.sides.add(scenario.side("none", elasticMq.endpoint()));
            scenario.sides.add(scenario.side("jpa", elasticMq.endpoint()));
            if (jdbcStore) {
                scenario.sides.add(scenario.side("jdbc", elasticMq.endpoint()));
            }
            for (Side side : scenario.sides) {
                scenario.throughput(side, 1);
                side.queueUrl = sqs.getQueueUrl(r -> r.queueName(side.queue)).queueUrl();
            }
        } catch (RuntimeException | InterruptedException e) {
            scenario.close();
            throw new IllegalStateException("the outbox deployments did not start: " + e, e);
        }
        return scenario;
    }

    Side off() {
        return sides.get(0);
    }

    Side on() {
        return sides.get(1);
    }

    /** The diagnostic side with {@link JdbcOutboxStore}, if started. */
    Side jdbc() {
        return sides.size() > 2 ? sides.get(2) : null;
    }

    private Side side(String store, URI endpoint) {
        boolean outbox = !store.equals("none");
        String service = prefix + (store.equals("none") ? "-off" : store.equals("jpa") ? "-on" : "-jdbc");
        String queue = "sf-" + service;
        OutboxDataSource ds = new OutboxDataSource(db.xaDataSource(), tm, threads + 4);
        OutboxBeans.DATA_SOURCES.put(service, ds);
        Map<String, String> config = new HashMap<>();
        config.put("sourceflow.service-name", service);
        config.put("sourceflow.aws.endpoint", endpoint.toString());
        config.put("sourceflow.aws.region", "us-east-1");
        config.put("sourceflow.aws.wait-time", Scenarios.WAIT_SECONDS + "s");
        config.put("sourceflow.aws.shutdown-timeout", "10s");
        config.put("sourceflow.routes.commands.BenchCommand", queue);
        config.put("sourceflow.aws.command-listener.enabled", "false");
        config.put("sourceflow.outbox.enabled", Boolean.toString(outbox));
        config.put(OutboxBeans.DATA_SOURCE_KEY, service);
        try {
            Deployment deployment = store.equals("jdbc")
                    ? Deployment.start(config, List.of(new com.arjuna.ats.jta.cdi.TransactionExtension()),
                    OutboxBeans.Persistence.class, OutboxBeans.Clock.class, BenchBeans.Counting.class, JdbcOutboxStore.Producer.class)
                    : Deployment.start(config, List.of(new JpaIdempotencyExtension(), new com.arjuna.ats.jta.cdi.TransactionExtension()),
                    OutboxBeans.Persistence.class, OutboxBeans.Clock.class, BenchBeans.Counting.class);
            return new Side(store, service, queue, ds, deployment);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /** Saturation: {@code n} transactions from {@link #threads} threads, each starting the next as soon as it committed. */
    Result throughput(Side side, int n) throws InterruptedException {
        return run(side, n, 0, 0);
    }

    /**
     * A steady rate: transaction {@code i} begins at start + i / rate (on one of {@link #threads} threads); the first
     * 10 % are left out of the percentiles.
     */
    Result paced(Side side, double rate, int seconds) throws InterruptedException {
        int n = (int) Math.round(rate * seconds);
        return run(side, n, rate, n / 10);
    }

    private Result run(Side side, int n, double pace, int warmUp) throws InterruptedException {
        String run = prefix + "-" + (++runs) + "-";
        if (side.queueUrl != null) {
            try {
                sqs.purgeQueue(r -> r.queueUrl(side.queueUrl)); // nobody receives: keep the queue small
            } catch (RuntimeException e) {
                BenchmarkSuite.log("could not purge %s: %s", side.queue, e.getMessage());
            }
        }
        AcceptClock.Run accepted = AcceptClock.INSTANCE.begin(n);
        long[] begunAt = new long[n];
        long[] committedAt = new long[n];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        side.dataSource.counts().reset();
        double load0 = loadAverage();
        long[] wal0 = db.wal();
        long[] machine0 = MachineCpu.read();
        long cpu0 = Scenarios.processCpuNanos();
        long jit0 = MachineCpu.jitNanos();
        long db0 = side.dataSource.backendCpuNanos();
        long emu0 = elasticMq.cpuNanos();
        long interval = pace > 0 ? (long) (1e9 / pace) : 0;
        TimerProbe probe = pace > 0 ? TimerProbe.start(side.deployment.select(SourceFlowExecutors.class).scheduler()) : null;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, n); t++) {
            workers.add(Scenarios.start("outbox-tx-" + t, () -> {
                int i;
                while ((i = next.getAndIncrement()) < n && failure.get() == null) {
                    if (interval > 0) {
                        long wait = start + i * interval - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    try {
                        begunAt[i] = System.nanoTime();
                        transaction(side, run + i, i);
                        committedAt[i] = System.nanoTime();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
        }
        Scenarios.joinAll(workers);
        if (failure.get() != null) {
            throw new IllegalStateException(side.label() + ": a transaction failed", failure.get());
        }
        long first = Arrays.stream(begunAt).min().orElse(start);
        long last = Arrays.stream(committedAt).max().orElse(start);
        if (!accepted.await(Math.max(60, n / 50))) {
            throw new IllegalStateException(side.label() + ": only " + accepted.accepted() + " of " + n
                    + " committed messages were accepted by SQS");
        }
        long lastAccept = Arrays.stream(accepted.acceptedAt).max().orElse(last);
        if (side.outbox) {
            awaitOutboxEmpty(side);
        }
        long[] lateness = probe == null ? new long[0] : probe.stop();
        long[] wal = db.wal();
        for (int k = 0; k < wal.length; k++) {
            wal[k] -= wal0[k];
        }
        long cpu = Scenarios.processCpuNanos() - cpu0;
        long jit = MachineCpu.jitNanos() - jit0;
        long dbCpu = side.dataSource.backendCpuNanos() - db0;
        long emu = elasticMq.cpuNanos() - emu0;
        double busy = MachineCpu.busySince(machine0);
        double load = (load0 + loadAverage()) / 2;
        long[] latencies = new long[n - warmUp];
        long[] tx = new long[n - warmUp];
        for (int i = warmUp; i < n; i++) {
            latencies[i - warmUp] = accepted.acceptedAt[i] - committedAt[i];
            tx[i - warmUp] = committedAt[i] - begunAt[i];
        }
        Arrays.sort(latencies);
        Arrays.sort(tx);
        return new Result(side.outbox, n, n / ((last - first) / 1e9), latencies, tx, side.dataSource.counts().snapshot(),
                accepted.batches.get(), accepted.duplicates.get(), cpu / 1e3 / n, dbCpu < 0 ? Double.NaN : dbCpu / 1e3 / n,
                emu / 1e3 / n, (lastAccept - last) / 1e6, (System.nanoTime() - first) / 1e9, busy, load, lateness, wal,
                n / ((Math.max(last, lastAccept) - first) / 1e9), jit / 1e3 / n);
    }

    /** One application transaction: an order row and a command, committed together. */
    private void transaction(Side side, String orderId, long seq) throws Exception {
        tm.begin();
        try {
            try (Connection c = side.dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT_ORDER)) {
                for (int row = 0; row < rowsPerTransaction; row++) {
                    insert.setString(1, row == 0 ? orderId : orderId + "/" + row);
                    insert.setTimestamp(2, Timestamp.from(Instant.now()));
                    insert.setLong(3, 1000 + seq % 9000);
                    insert.executeUpdate();
                }
            }
            side.bus.send(new BenchBeans.BenchCommand(orderId, seq, System.nanoTime(), payload));
        } catch (Throwable e) {
            if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                tm.rollback();
            }
            throw e;
        }
        tm.commit();
    }

    /** Every row of the run was relayed and deleted (the relay's deletes linger 20 ms for company). */
    private void awaitOutboxEmpty(Side side) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rows(side) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("outbox on: " + rows(side) + " rows were still in sourceflow_outbox 60 s after "
                        + "their messages were accepted");
            }
            Thread.sleep(10);
        }
    }

    long rows(Side side) {
        return db.count("select count(*) from " + SqlCounts.OUTBOX_TABLE + " where service = '" + side.service + "'");
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        for (Side side : sides) {
            try {
                side.deployment.close();
            } finally {
                side.dataSource.close();
                OutboxBeans.DATA_SOURCES.remove(side.service);
            }
        }
        try {
            db.execute("delete from " + OutboxDatabase.ORDERS + " where order_id like '" + prefix + "-%'");
            db.execute("delete from " + SqlCounts.OUTBOX_TABLE + " where service like '" + prefix + "-%'");
        } catch (RuntimeException e) {
            BenchmarkSuite.log("could not remove the benchmark's rows: %s", e);
        }
    }

    /**
     * How late SourceFlow's timer thread ({@link SourceFlowExecutors#scheduler()}: batch lingers, heartbeats, backoffs)
     * runs a task: one probe task every 2 ms, each noting how long after its due time it ran.
     */
    static final class TimerProbe {
        private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(2);
        private final ScheduledExecutorService scheduler;
        private final long[] lateness = new long[200_000];
        private final AtomicInteger count = new AtomicInteger();
        private volatile boolean stopped;

        private TimerProbe(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
        }

        static TimerProbe start(ScheduledExecutorService scheduler) {
            TimerProbe probe = new TimerProbe(scheduler);
            probe.next();
            return probe;
        }

        private void next() {
            long due = System.nanoTime() + PERIOD;
            scheduler.schedule(() -> {
                int i = count.getAndIncrement();
                if (i < lateness.length) {
                    lateness[i] = System.nanoTime() - due;
                }
                if (!stopped) {
                    next();
                }
            }, PERIOD, TimeUnit.NANOSECONDS);
        }

        /** Stops; the lateness of every probe so far, ns, sorted. */
        long[] stop() {
            stopped = true;
            long[] result = Arrays.copyOf(lateness, Math.min(count.get(), lateness.length));
            Arrays.sort(result);
            return result;
        }
    }

    /** Machine-wide CPU from /proc/stat: how busy both cores were, whoever used them. */
    static final class MachineCpu {
        private MachineCpu() {
        }

        /** {busy, total} jiffies, or {0, 0}. */
        static long[] read() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new long[]{total - idle, total};
            } catch (Exception e) {
                return new long[]{0, 0};
            }
        }

        /** CPU time of this JVM's JIT compiler threads so far (from /proc/self/task/<tid>/stat), ns; 0 without /proc. */
        static long jitNanos() {
            long ticks = 0;
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String comm = Files.readString(task.resolve("comm")).strip();
                        if (comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler")) {
                            String line = Files.readString(task.resolve("stat"));
                            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        }
                    } catch (Exception e) {
                        // the thread ended meanwhile
                    }
                }
            } catch (Exception e) {
                return 0;
            }
            return ticks * 10_000_000L; // USER_HZ = 100
        }

        /** Share of the machine's CPU capacity in use since {@code before} (0..1). */
        static double busySince(long[] before) {
            long[] now = read();
            long total = now[1] - before[1];
            return total <= 0 ? Double.NaN : (double) (now[0] - before[0]) / total;
        }
    }
}
