package io.sourceflow.bench;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The transactional outbox, on vs off (issue 14): committed transactions per second at saturation, database
 * statements per message, and the latency from commit to SQS's acceptance at saturation and at a steady rate. Runs
 * {@link OutboxScenario}, alternating the two deployments, and writes its own section of docs/benchmarks.md.
 *
 * <p>System properties: {@code bench.outbox.transactions} (per saturation run; full 3,000, smoke 200),
 * {@code bench.outbox.threads} (8), {@code bench.outbox.rounds} (full 5, smoke 1), {@code bench.outbox.warm-up-rounds}
 * (full 4, smoke 0; full mode also runs 5 s paced per side before the paced runs), {@code bench.outbox.rate} (200 tx/s), {@code bench.outbox.seconds} (per paced run; full 15,
 * smoke 1), {@code bench.outbox.paced-rounds} (full 3, smoke 1), {@code bench.outbox.profile} (diagnostic: a CPU
 * profile per saturation run).
 */
final class OutboxCase {

    static final double THROUGHPUT_GOAL = 0.8;

    private final boolean full;
    private final int transactions;
    private final int threads;
    private final int rounds;
    private final double rate;
    private final int seconds;
    private final int pacedRounds;
    private final int warmUpRounds;
    /** Diagnostic: a third deployment with {@link JdbcOutboxStore} instead of the shipped JPA store. */
    private final boolean jdbcStore = Boolean.getBoolean("bench.outbox.jdbc-store");

    /** The section's Markdown and its part of the JSON, once run. */
    final StringBuilder md = new StringBuilder();
    JsonObject json;

    OutboxCase(boolean full) {
        this.full = full;
        transactions = Integer.getInteger("bench.outbox.transactions", full ? 3_000 : 200);
        threads = Integer.getInteger("bench.outbox.threads", 8);
        rounds = Integer.getInteger("bench.outbox.rounds", full ? 5 : 1);
        rate = Double.parseDouble(System.getProperty("bench.outbox.rate", "200"));
        seconds = Integer.getInteger("bench.outbox.seconds", full ? 15 : 1);
        pacedRounds = Integer.getInteger("bench.outbox.paced-rounds", full ? 3 : 1);
        warmUpRounds = Integer.getInteger("bench.outbox.warm-up-rounds", full ? 4 : 0);
    }

    /**
     * Runs the case, or explains why it cannot: without PostgreSQL it fails when {@code CI=true} (CI has it), and is
     * skipped with a note otherwise.
     *
     * @return whether it ran
     */
    boolean run(EmulatorProcess elasticMq, SqsClient sqs, String payload, String machineLine) throws Exception {
        OutboxDatabase db = new OutboxDatabase();
        String missing = db.prepare();
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(missing + ": the transactional-outbox benchmark needs it, and CI=true (CI "
                        + "starts PostgreSQL; .ci/run)");
            }
            BenchmarkSuite.log("outbox: skipped, %s (CI=true makes this a failure)", missing);
            md.append("### Transactional outbox\n\nSkipped: ").append(missing).append(".\n\n");
            return false;
        }
        String pg = db.version();
        double loadBefore = loadAverage();
        BenchmarkSuite.log("outbox: PostgreSQL %s; %d transactions per saturation run from %d threads, %d rounds; paced %.0f tx/s for %d s, "
                + "%d rounds; load average %.2f", pg, transactions, threads, rounds, rate, seconds, pacedRounds, loadBefore);
        List<OutboxScenario.Result> offRuns = new ArrayList<>();
        List<OutboxScenario.Result> onRuns = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> deliveredRatios = new ArrayList<>();
        List<OutboxScenario.Result> jdbcRuns = new ArrayList<>();
        List<Double> jdbcRatios = new ArrayList<>();
        List<OutboxScenario.Result> offPaced = new ArrayList<>();
        List<OutboxScenario.Result> onPaced = new ArrayList<>();
        long started = System.nanoTime();
        try (OutboxScenario scenario = OutboxScenario.start(db, elasticMq, sqs, payload, threads, jdbcStore)) {
            BenchmarkSuite.log("outbox: deployments up in %.1f s", (System.nanoTime() - started) / 1e9);
            for (int r = 0; r < warmUpRounds; r++) {
                scenario.throughput(scenario.off(), transactions);
                scenario.throughput(scenario.on(), transactions);
                if (jdbcStore) {
                    scenario.throughput(scenario.jdbc(), transactions);
                }
                BenchmarkSuite.log("outbox: warm-up round %d done", r + 1);
            }
            for (int r = 0; r < rounds; r++) {
                OutboxScenario.Result off;
                OutboxScenario.Result on;
                OutboxScenario.Result jdbc = null;
                if (r % 2 == 0) {
                    off = profiled(scenario, scenario.off(), r);
                    on = profiled(scenario, scenario.on(), r);
                    if (jdbcStore) {
                        jdbc = profiled(scenario, scenario.jdbc(), r);
                    }
                } else {
                    if (jdbcStore) {
                        jdbc = profiled(scenario, scenario.jdbc(), r);
                    }
                    on = profiled(scenario, scenario.on(), r);
                    off = profiled(scenario, scenario.off(), r);
                }
                if (jdbc != null) {
                    jdbcRuns.add(jdbc);
                    jdbcRatios.add(jdbc.rate() / off.rate());
                    BenchmarkSuite.log("outbox saturation run %d: JDBC store %.0f tx/s, ratio to off %.2f; %s", r + 1, jdbc.rate(),
                            jdbc.rate() / off.rate(), jdbc.sql());
                }
                offRuns.add(off);
                onRuns.add(on);
                ratios.add(on.rate() / off.rate());
                deliveredRatios.add(on.deliveredRate() / off.deliveredRate());
                BenchmarkSuite.log("outbox saturation run %d: off %.0f tx/s, on %.0f tx/s, ratio %.2f (delivered: %.0f, %.0f, %.2f); on: %s; "
                                + "commit→accept p50 off %.1f on %.1f ms; load %.2f, machine busy %.0f %%", r + 1, off.rate(), on.rate(),
                        on.rate() / off.rate(), off.deliveredRate(), on.deliveredRate(), on.deliveredRate() / off.deliveredRate(), on.sql(),
                        ms(Stats.percentile(off.latencies(), 50)), ms(Stats.percentile(on.latencies(), 50)), on.loadAverage(),
                        100 * on.machineBusy());
            }
            if (warmUpRounds > 0) { // the paced runs' own code paths (pacing, the timer probe) compile here, not in the first run
                scenario.paced(scenario.off(), rate, 5);
                scenario.paced(scenario.on(), rate, 5);
            }
            for (int r = 0; r < pacedRounds; r++) {
                OutboxScenario.Result off;
                OutboxScenario.Result on;
                if (r % 2 == 0) {
                    off = profiledPaced(scenario, scenario.off(), r);
                    on = profiledPaced(scenario, scenario.on(), r);
                } else {
                    on = profiledPaced(scenario, scenario.on(), r);
                    off = profiledPaced(scenario, scenario.off(), r);
                }
                offPaced.add(off);
                onPaced.add(on);
                BenchmarkSuite.log("outbox paced run %d at %.0f tx/s: commit→accept p50/p99 off %.1f/%.1f ms, on %.1f/%.1f ms; on: %s",
                        r + 1, rate, ms(Stats.percentile(off.latencies(), 50)), ms(Stats.percentile(off.latencies(), 99)),
                        ms(Stats.percentile(on.latencies(), 50)), ms(Stats.percentile(on.latencies(), 99)), on.sql());
            }
        }
        double loadAfter = loadAverage();
        BenchmarkSuite.log("outbox: case done in %.0f s", (System.nanoTime() - started) / 1e9);
        report(pg, machineLine, loadBefore, loadAfter, offRuns, onRuns, ratios, deliveredRatios, offPaced, onPaced,
                (System.nanoTime() - started) / 1e9);
        if (jdbcStore) {
            Stats jdbcRatio = Stats.of(jdbcRatios);
            md.append(String.format(Locale.ROOT, "**Diagnostic, plain-JDBC outbox store** (`-Dbench.outbox.jdbc-store=true`: a third "
                            + "deployment with the benchmark's `JdbcOutboxStore`, the same SQL as `JpaOutboxStore` without Hibernate "
                            + "and the `@Transactional` interceptors; not a shipped store), in the same rounds: %s tx/s, "
                            + "**%.2f** (%.2f–%.2f) of off; JVM CPU %.0f µs/tx (JIT %.0f), PostgreSQL backends %.0f µs/tx, "
                            + "ElasticMQ %.0f µs/tx, tx p50 %.1f ms.%n%n",
                    stats(jdbcRuns, OutboxScenario.Result::rate).format("%.0f"), jdbcRatio.median(), jdbcRatio.min(), jdbcRatio.max(),
                    median(jdbcRuns, OutboxScenario.Result::jvmCpuMicros), median(jdbcRuns, OutboxScenario.Result::jitCpuMicros),
                    median(jdbcRuns, OutboxScenario.Result::dbCpuMicros), median(jdbcRuns, OutboxScenario.Result::emulatorCpuMicros),
                    median(jdbcRuns, r -> ms(Stats.percentile(r.txNanos(), 50)))));
        }
        return true;
    }

    /**
     * A saturation run; with {@code bench.outbox.profile=<prefix>} (diagnostic) under async-profiler, written to
     * {@code <prefix>-on-<round>.collapsed} or {@code -off-} (paced runs: {@code -paced-on-}, {@code -paced-off-}):
     * collapsed stacks with thread names, which concatenate.
     */
    private OutboxScenario.Result profiled(OutboxScenario scenario, OutboxScenario.Side side, int round) throws Exception {
        String prefix = System.getProperty("bench.outbox.profile", "").trim();
        if (prefix.isEmpty()) {
            return scenario.throughput(side, transactions);
        }
        String name = side.store.equals("jdbc") ? "-jdbc-" : side.outbox ? "-on-" : "-off-";
        try (CpuProfile ignored = CpuProfile.start(prefix + name + (round + 1) + ".collapsed")) {
            return scenario.throughput(side, transactions);
        }
    }

    private OutboxScenario.Result profiledPaced(OutboxScenario scenario, OutboxScenario.Side side, int round) throws Exception {
        String prefix = System.getProperty("bench.outbox.profile", "").trim();
        if (prefix.isEmpty()) {
            return scenario.paced(side, rate, seconds);
        }
        try (CpuProfile ignored = CpuProfile.start(prefix + (side.outbox ? "-paced-on-" : "-paced-off-") + (round + 1) + ".collapsed")) {
            return scenario.paced(side, rate, seconds);
        }
    }

    // ------------------------------------------------------------------------------------------- report

    private void report(String pg, String machineLine, double loadBefore, double loadAfter, List<OutboxScenario.Result> offRuns,
                        List<OutboxScenario.Result> onRuns, List<Double> ratios, List<Double> deliveredRatios,
                        List<OutboxScenario.Result> offPaced,
                        List<OutboxScenario.Result> onPaced, double seconds) {
        Stats ratio = Stats.of(ratios);
        Stats deliveredRatio = Stats.of(deliveredRatios);
        Stats offRate = stats(offRuns, OutboxScenario.Result::rate);
        Stats onRate = stats(onRuns, OutboxScenario.Result::rate);
        Stats load = stats(concat(offRuns, onRuns, offPaced, onPaced), OutboxScenario.Result::loadAverage);
        Stats busy = stats(concat(offRuns, onRuns), OutboxScenario.Result::machineBusy);
        int cores = Runtime.getRuntime().availableProcessors();

        double inserts = median(onRuns, r -> r.perMessage("insert outbox"));
        double deletedRows = median(onRuns, r -> r.perMessage("rows delete outbox"));
        double deletes = median(onRuns, r -> r.perMessage("delete outbox"));
        double pacedDeletes = median(onPaced, r -> r.perMessage("delete outbox"));
        double pacedInserts = median(onPaced, r -> r.perMessage("insert outbox"));
        double pacedDeletedRows = median(onPaced, r -> r.perMessage("rows delete outbox"));
        boolean statementsOk = inserts <= 1 && deletedRows <= 1 && deletes < 1 && pacedInserts <= 1 && pacedDeletedRows <= 1
                && pacedDeletes < 1;

        md.append("### Transactional outbox: results\n\n")
                .append(String.format(Locale.ROOT, "Run: %sZ, mode %s, %.0f s. %s%n%n", java.time.Instant.now().toString().substring(0, 16),
                        full ? "full" : "smoke", seconds, machineLine.strip()))
                .append("Database: PostgreSQL ").append(pg).append(", on the same machine, reached over TCP on 127.0.0.1.\n\n")
                .append(String.format(Locale.ROOT, "Machine load: 1-minute load average %.2f before the case, %.2f after, %s during its runs "
                                + "(median, min–max); both cores were %s %% busy during the saturation runs (all processes: this JVM, "
                                + "ElasticMQ, PostgreSQL and whatever else ran on the machine).%n%n", loadBefore, loadAfter,
                        load.format("%.2f"), Stats.of(concat(offRuns, onRuns).stream().map(r -> 100 * r.machineBusy()).toList())
                                .format("%.0f")))
                .append(String.format(Locale.ROOT, "Each transaction: %s, one 1 KB command, commit. ",
                        Integer.getInteger("bench.outbox.rows", 1) == 1 ? "one order row"
                                : Integer.getInteger("bench.outbox.rows", 1) + " order rows"))
                .append(String.format(Locale.ROOT, "%,d transactions per saturation run from %d threads, %d rounds (off and on "
                                + "back to back, alternating which goes first)%s; paced runs at %.0f tx/s for %d s, %d rounds, the "
                                + "first 10 %% of each left out of the percentiles.%n%n", transactions, threads, rounds,
                        warmUpRounds > 0 ? ", after " + warmUpRounds + " unrecorded warm-up rounds of each" : "", rate, this.seconds,
                        pacedRounds));

        md.append("| goal | measured (median) | met |\n|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| Throughput with the outbox ≥ %.1f × without (committed tx/s at saturation, %d "
                                + "threads) | %.2f (%.2f–%.2f); delivered tx/s %.2f (%.2f–%.2f) | %s |%n", THROUGHPUT_GOAL, threads,
                        ratio.median(), ratio.min(), ratio.max(), deliveredRatio.median(), deliveredRatio.min(), deliveredRatio.max(),
                        ratio.median() >= THROUGHPUT_GOAL ? "yes" : "**no**"))
                .append(String.format(Locale.ROOT, "| ≤ 1 insert + 1 delete per message, deletes batched | %.3f inserts, %.3f rows deleted "
                                + "in %.3f delete statements per message at saturation (%.1f rows each); at %.0f tx/s %.3f / %.3f / %.3f "
                                + "(%.1f rows each) | %s |%n%n", inserts, deletedRows, deletes, deletedRows / deletes, rate, pacedInserts,
                        pacedDeletedRows, pacedDeletes, pacedDeletedRows / pacedDeletes, statementsOk ? "yes" : "**no**"));

        md.append("**Throughput at saturation.** Committed transactions per second (first begin to last commit), median "
                        + "(min–max) of the rounds; the ratio is computed per round. Delivered: transactions per second from the "
                        + "first begin until SQS had accepted the last message (with the outbox off, sends left after the commit "
                        + "can fall behind the commits). Transaction time: begin to commit returned. "
                        + "CPU per transaction, until every message was accepted and (outbox on) every row deleted: this JVM "
                        + "(application, SourceFlow, Hibernate, Narayana, the SQS client), the PostgreSQL backends of the "
                        + "deployment's connection pool (from `/proc/<pid>/stat`; PostgreSQL's WAL writer and other background "
                        + "processes not included), and ElasticMQ.\n\n")
                .append("| | tx/s | delivered tx/s | tx p50 ms | tx p99 ms | JVM CPU µs/tx (of it JIT) | PostgreSQL backends CPU "
                        + "µs/tx | ElasticMQ CPU µs/tx | SendMessageBatch calls/msg |\n|---|---|---|---|---|---|---|---|---|\n");
        rateRow("outbox off", offRuns, offRate);
        rateRow("outbox on", onRuns, onRate);
        md.append(String.format(Locale.ROOT, "| **on / off** | **%.2f** (%.2f–%.2f) | %.2f (%.2f–%.2f) | | | | | | |%n%n",
                ratio.median(), ratio.min(), ratio.max(), deliveredRatio.median(), deliveredRatio.min(), deliveredRatio.max()));

        md.append("**Database statements per message**, counted at the JDBC API of the deployment's data source (every statement "
                        + "executed, by verb and table; a statement is one round trip; \"transactions\" are the JTA transactions the "
                        + "data source was enlisted in, each one database transaction committed in one phase). Medians over the runs, "
                        + "from the first transaction until the last row was deleted.\n\n")
                .append(String.format(Locale.ROOT, "| per message | off, saturation | on, saturation | off, %.0f tx/s | on, %.0f tx/s |%n", rate, rate))
                .append("|---|---|---|---|---|\n");
        TreeSet<String> keys = new TreeSet<>();
        concat(offRuns, onRuns, offPaced, onPaced).forEach(r -> keys.addAll(r.sql().keySet()));
        for (String key : keys) {
            md.append("| ").append(describe(key)).append(" | ")
                    .append(f3(median(offRuns, r -> r.perMessage(key)))).append(" | ")
                    .append(f3(median(onRuns, r -> r.perMessage(key)))).append(" | ")
                    .append(f3(median(offPaced, r -> r.perMessage(key)))).append(" | ")
                    .append(f3(median(onPaced, r -> r.perMessage(key)))).append(" |\n");
        }
        md.append("| PostgreSQL WAL bytes (cluster-wide, see below) | ")
                .append(String.format(Locale.ROOT, "%.0f | %.0f | %.0f | %.0f", median(offRuns, r -> (double) r.wal()[1] / r.n()),
                        median(onRuns, r -> (double) r.wal()[1] / r.n()), median(offPaced, r -> (double) r.wal()[1] / r.n()),
                        median(onPaced, r -> (double) r.wal()[1] / r.n()))).append(" |\n")
                .append("| PostgreSQL WAL syncs (cluster-wide) | ")
                .append(String.format(Locale.ROOT, "%.3f | %.3f | %.3f | %.3f", median(offRuns, r -> (double) r.wal()[2] / r.n()),
                        median(onRuns, r -> (double) r.wal()[2] / r.n()), median(offPaced, r -> (double) r.wal()[2] / r.n()),
                        median(onPaced, r -> (double) r.wal()[2] / r.n()))).append(" |\n");
        md.append("| all statements | ").append(f3(median(offRuns, OutboxCase::statements))).append(" | ")
                .append(f3(median(onRuns, OutboxCase::statements))).append(" | ")
                .append(f3(median(offPaced, OutboxCase::statements))).append(" | ")
                .append(f3(median(onPaced, OutboxCase::statements))).append(" |\n\n")
                .append("WAL: `pg_stat_wal` before and after each run, for the whole PostgreSQL cluster (other users of the "
                        + "database during the run are included; WAL syncs are the WAL writer's and committing backends' "
                        + "fdatasync calls, which group commits share).\n\n");

        md.append("**Latency, commit → SQS accepted.** From the application's `commit()` returning to the SendMessageBatch "
                        + "response that accepted the message (an SDK `ExecutionInterceptor` on SourceFlow's client stamps each "
                        + "accepted entry, found by the command's `seq` in the body). Milliseconds, median (min–max) over the runs.\n\n")
                .append("| | p50 ms | p99 ms | max ms | tx p50 ms | tx p99 ms |\n|---|---|---|---|---|---|\n");
        latencyRow(String.format(Locale.ROOT, "off, %.0f tx/s", rate), offPaced);
        latencyRow(String.format(Locale.ROOT, "on, %.0f tx/s", rate), onPaced);
        latencyRow("off, saturation", offRuns);
        latencyRow("on, saturation", onRuns);
        md.append('\n');

        md.append(String.format(Locale.ROOT, "**CPU per transaction at %.0f tx/s** (the same rate on both sides, so the same SQS "
                        + "batch sizes; what runs regardless of the rate, such as timers, the idle deployments and ElasticMQ's own "
                        + "housekeeping, is spread over fewer transactions than at saturation and pulls the quotient towards 1), "
                        + "and **how late SourceFlow's timer thread ran** (batch lingers, heartbeats and backoffs run on it; a "
                        + "probe task every 2 ms notes how long after its due time it ran). Medians over the runs.%n%n", rate))
                .append("| | JVM CPU µs/tx without JIT | JIT | PostgreSQL backends CPU µs/tx | ElasticMQ CPU µs/tx | total µs/tx "
                        + "without JIT | timer late p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|---|\n");
        cpuRow("outbox off", offPaced);
        cpuRow("outbox on", onPaced);
        double offTotal = median(offPaced, OutboxCase::totalCpu);
        double onTotal = median(onPaced, OutboxCase::totalCpu);
        md.append(String.format(Locale.ROOT, "| **off / on** | | | | | **%.2f** | | | |%n%n", offTotal / onTotal));
        long duplicates = concat(offRuns, onRuns, offPaced, onPaced).stream().mapToLong(OutboxScenario.Result::duplicates).sum();
        md.append(String.format(Locale.ROOT, "Every run checked that each committed message was accepted by SQS (messages accepted "
                + "twice: %d) and, with the outbox on, that no row of the run was left in `sourceflow_outbox`.%n%n", duplicates));

        JsonObjectBuilder j = Json.createObjectBuilder()
                .add("postgresql", pg).add("transactionsPerRun", transactions).add("threads", threads).add("rounds", rounds)
                .add("pacedRate", rate).add("pacedSeconds", this.seconds).add("loadAverageBefore", num(loadBefore))
                .add("loadAverageAfter", num(loadAfter)).add("machineBusySaturation", stats(busy))
                .add("offRate", stats(offRate)).add("onRate", stats(onRate)).add("ratio", stats(ratio))
                .add("deliveredRatio", stats(deliveredRatio))
                .add("insertsPerMessage", num(inserts)).add("deletedRowsPerMessage", num(deletedRows))
                .add("deleteStatementsPerMessage", num(deletes)).add("pacedDeleteStatementsPerMessage", num(pacedDeletes))
                .add("duplicates", duplicates)
                .add("saturationOff", runs(offRuns)).add("saturationOn", runs(onRuns))
                .add("pacedOff", runs(offPaced)).add("pacedOn", runs(onPaced))
                .add("pacedCpuOffOverOn", num(offTotal / onTotal));
        json = j.build();
    }

    private void rateRow(String label, List<OutboxScenario.Result> runs, Stats rate) {
        md.append("| ").append(label).append(" | ").append(rate.format("%.0f")).append(" | ")
                .append(stats(runs, OutboxScenario.Result::deliveredRate).format("%.0f")).append(" | ")
                .append(f1(median(runs, r -> ms(Stats.percentile(r.txNanos(), 50))))).append(" | ")
                .append(f1(median(runs, r -> ms(Stats.percentile(r.txNanos(), 99))))).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f (%.0f)", median(runs, OutboxScenario.Result::jvmCpuMicros),
                        median(runs, OutboxScenario.Result::jitCpuMicros))).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", median(runs, OutboxScenario.Result::dbCpuMicros))).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", median(runs, OutboxScenario.Result::emulatorCpuMicros))).append(" | ")
                .append(f3(median(runs, r -> (double) r.sendBatches() / r.n()))).append(" |\n");
    }

    private void latencyRow(String label, List<OutboxScenario.Result> runs) {
        md.append("| ").append(label).append(" | ")
                .append(Stats.of(runs.stream().map(r -> ms(Stats.percentile(r.latencies(), 50))).toList()).format("%.1f")).append(" | ")
                .append(Stats.of(runs.stream().map(r -> ms(Stats.percentile(r.latencies(), 99))).toList()).format("%.1f")).append(" | ")
                .append(Stats.of(runs.stream().map(r -> ms(r.latencies()[r.latencies().length - 1])).toList()).format("%.1f")).append(" | ")
                .append(f1(median(runs, r -> ms(Stats.percentile(r.txNanos(), 50))))).append(" | ")
                .append(f1(median(runs, r -> ms(Stats.percentile(r.txNanos(), 99))))).append(" |\n");
    }

    private void cpuRow(String label, List<OutboxScenario.Result> runs) {
        md.append("| ").append(label).append(" | ")
                .append(String.format(Locale.ROOT, "%.0f | %.0f | %.0f | %.0f | %.0f",
                        median(runs, r -> r.jvmCpuMicros() - r.jitCpuMicros()), median(runs, OutboxScenario.Result::jitCpuMicros),
                        median(runs, OutboxScenario.Result::dbCpuMicros), median(runs, OutboxScenario.Result::emulatorCpuMicros),
                        median(runs, OutboxCase::totalCpu))).append(" | ")
                .append(f1(median(runs, r -> ms(Stats.percentile(r.timerLateness(), 50))))).append(" | ")
                .append(f1(median(runs, r -> ms(Stats.percentile(r.timerLateness(), 99))))).append(" | ")
                .append(f1(median(runs, r -> r.timerLateness().length == 0 ? Double.NaN
                        : ms(r.timerLateness()[r.timerLateness().length - 1])))).append(" |\n");
    }

    /** JVM (without its JIT compiler threads), PostgreSQL backends and ElasticMQ. */
    private static double totalCpu(OutboxScenario.Result r) {
        return r.jvmCpuMicros() - r.jitCpuMicros() + r.dbCpuMicros() + r.emulatorCpuMicros();
    }

    private static String describe(String key) {
        return switch (key) {
            case "tx" -> "database transactions";
            case "autocommit" -> "connections used outside a transaction";
            default -> key.startsWith("rows ") ? "rows changed by `" + key.substring(5) + "`"
                    : key.startsWith("thread ") ? "`" + key.substring(7).replace(" on ", "` statements on thread pool `") + "`"
                    : "`" + key + "` statements";
        };
    }

    private static double statements(OutboxScenario.Result r) {
        return r.sql().entrySet().stream().filter(e -> !e.getKey().startsWith("rows ") && !e.getKey().startsWith("thread ")
                && !e.getKey().equals("tx")
                && !e.getKey().equals("autocommit")).mapToLong(Map.Entry::getValue).sum() / (double) r.n();
    }

    private static JsonArrayBuilder runs(List<OutboxScenario.Result> runs) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (OutboxScenario.Result r : runs) {
            JsonObjectBuilder sql = Json.createObjectBuilder();
            r.sql().forEach(sql::add);
            array.add(Json.createObjectBuilder().add("outbox", r.outbox()).add("transactions", r.n()).add("rate", num(r.rate()))
                    .add("deliveredRate", num(r.deliveredRate()))
                    .add("latencyP50Ms", num(ms(Stats.percentile(r.latencies(), 50))))
                    .add("latencyP99Ms", num(ms(Stats.percentile(r.latencies(), 99))))
                    .add("txP50Ms", num(ms(Stats.percentile(r.txNanos(), 50))))
                    .add("txP99Ms", num(ms(Stats.percentile(r.txNanos(), 99))))
                    .add("sql", sql).add("sendMessageBatchCalls", r.sendBatches()).add("duplicates", r.duplicates())
                    .add("jvmCpuMicrosPerTx", num(r.jvmCpuMicros())).add("jitCpuMicrosPerTx", num(r.jitCpuMicros())).add("dbCpuMicrosPerTx", num(r.dbCpuMicros()))
                    .add("elasticMqCpuMicrosPerTx", num(r.emulatorCpuMicros())).add("acceptLagMs", num(r.acceptLagMs()))
                    .add("machineBusy", num(r.machineBusy())).add("loadAverage", num(r.loadAverage()))
                    .add("walRecords", r.wal()[0]).add("walBytes", r.wal()[1]).add("walSyncs", r.wal()[2])
                    .add("timerLateP50Ms", num(ms(Stats.percentile(r.timerLateness(), 50))))
                    .add("timerLateP99Ms", num(ms(Stats.percentile(r.timerLateness(), 99)))));
        }
        return array;
    }

    @SafeVarargs
    private static List<OutboxScenario.Result> concat(List<OutboxScenario.Result>... lists) {
        List<OutboxScenario.Result> all = new ArrayList<>();
        for (List<OutboxScenario.Result> list : lists) {
            all.addAll(list);
        }
        return all;
    }

    private static Stats stats(List<OutboxScenario.Result> runs, ToDoubleFunction<OutboxScenario.Result> metric) {
        return Stats.of(runs.stream().map(metric::applyAsDouble).toList());
    }

    private static double median(List<OutboxScenario.Result> runs, ToDoubleFunction<OutboxScenario.Result> metric) {
        return stats(runs, metric).median();
    }

    private static JsonObjectBuilder stats(Stats s) {
        return Json.createObjectBuilder().add("median", num(s.median())).add("min", num(s.min())).add("max", num(s.max()))
                .add("runs", s.n());
    }

    private static double num(double v) {
        return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : -1;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
