package io.sourceflow.bench;

import io.sourceflow.bench.jmh.HotPathBenchmark;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;
import jakarta.json.stream.JsonGenerator;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The whole benchmark suite (docs/benchmarks.md): starts ElasticMQ and moto in their own processes, runs every
 * measurement side by side with its baseline, repeats, and writes {@code target/benchmark-results.json} and the
 * results section of {@code docs/benchmarks.md} (full mode) or {@code target/benchmarks-smoke.md} (smoke mode).
 *
 * <p>System properties: {@code bench.mode} (smoke | full), {@code bench.messages}, {@code bench.reps},
 * {@code bench.elasticmq.classpath}, {@code bench.target}, {@code bench.docs}, {@code bench.only} (comma-separated
 * subset of throughput, encryption, latency, memory, jmh, outbox; the outbox case's own properties are listed in
 * {@link OutboxCase}).
 */
public final class BenchmarkSuite {

    private static final String BEGIN = "<!-- results:begin -->";
    private static final String END = "<!-- results:end -->";
    private static final String OUTBOX_BEGIN = "<!-- outbox-results:begin -->";
    private static final String OUTBOX_END = "<!-- outbox-results:end -->";
    private static final List<String> MAIN_PARTS = List.of("throughput", "encryption", "latency", "memory", "jmh");
    private static final int BODY_BYTES = 1024;

    private final boolean full;
    private final int messages;
    private final int reps;
    private final int memoryBacklog;
    private final int latencySeconds;
    private final List<String> only;
    private final Path target;
    private final JsonObjectBuilder json = Json.createObjectBuilder();
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> goals = new ArrayList<>();
    private final Map<String, Double> measured = new LinkedHashMap<>();
    private String machineLine = "";
    private OutboxCase outbox;

    private BenchmarkSuite() {
        full = "full".equals(System.getProperty("bench.mode", "smoke"));
        messages = Integer.getInteger("bench.messages", full ? 10_000 : 300);
        reps = Integer.getInteger("bench.reps", full ? 3 : 1);
        memoryBacklog = Integer.getInteger("bench.memory-backlog", full ? 50_000 : 2_000);
        latencySeconds = Integer.getInteger("bench.latency-seconds", full ? 10 : 3);
        only = List.of(System.getProperty("bench.only", "throughput,encryption,latency,memory,jmh,outbox").split(","));
        target = Path.of(System.getProperty("bench.target", "target")).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        BenchmarkSuite suite = new BenchmarkSuite();
        suite.run();
        System.out.printf(Locale.ROOT, "[bench] done in %.0f s%n", (System.nanoTime() - started) / 1e9);
        System.exit(0); // Weld/AWS SDK daemon threads aside, nothing keeps running
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Path cpFile = Path.of(System.getProperty("bench.elasticmq.classpath", target.resolve("elasticmq.classpath").toString()));
        log("mode %s: %d messages per run, %d runs", full ? "full" : "smoke", messages, reps);
        RequestCounter baselineRequests = new RequestCounter();
        try (EmulatorProcess elasticMq = EmulatorProcess.elasticMq(cpFile, target);
             EmulatorProcess moto = EmulatorProcess.moto(target);
             SqsClient sqs = SqsClient.builder().endpointOverride(elasticMq.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                     .httpClient(ApacheHttpClient.builder().maxConnections(100).socketTimeout(Duration.ofSeconds(30)).build())
                     .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(baselineRequests).build())
                     .build();
             KmsClient kms = KmsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build()) {
            log("ElasticMQ on %s, moto on %s", elasticMq.endpoint(), moto.endpoint());
            BenchBeans.SOURCEFLOW_REQUESTS.routeKmsTo(moto.port());
            String keyId = kms.createKey(r -> r.description("sourceflow benchmark")).keyMetadata().keyId();
            int payloadChars = HotPath.payloadCharsFor(BODY_BYTES);
            String payload = "x".repeat(payloadChars);
            Scenarios scenarios = new Scenarios(elasticMq.endpoint(), elasticMq, sqs, baselineRequests, payload, keyId);
            scenarios.bodySize(BODY_BYTES);
            machine(cpFile);

            double streamRate = Double.NaN;
            if (only.contains("throughput")) {
                streamRate = throughput(scenarios);
            }
            if (only.contains("encryption")) {
                encryption(scenarios);
            }
            if (only.contains("latency")) {
                latency(scenarios, Double.isNaN(streamRate) ? 400 : streamRate / 2);
            }
            if (only.contains("memory")) {
                memory(scenarios);
            }
            if (only.contains("outbox")) {
                outbox = new OutboxCase(full);
                if (!outbox.run(elasticMq, sqs, payload, machineLine)) {
                    outbox.json = null;
                }
            }
            if (only.contains("jmh")) {
                jmh(payloadChars);
            }
        }
        goalsSection();
        if (outbox != null && outbox.json != null) {
            json.add("outbox", outbox.json);
        }
        json.add("mode", full ? "full" : "smoke").add("finished", Instant.now().toString())
                .add("durationSeconds", Math.round((System.nanoTime() - started) / 1e9));
        write();
    }

    // ------------------------------------------------------------------------------------------- machine

    private void machine(Path cpFile) throws IOException, InterruptedException {
        String cpu = "unknown";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.exists(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        }
        String elasticMq = Files.readString(cpFile).lines().flatMap(l -> List.of(l.split(java.io.File.pathSeparator)).stream())
                .map(p -> Path.of(p).getFileName().toString()).filter(n -> n.startsWith("elasticmq-server"))
                .findFirst().orElse("elasticmq-server ?").replace(".jar", "");
        String moto = command("python3", "-c", "import moto; print(moto.__version__)");
        JsonObject machine = Json.createObjectBuilder()
                .add("cores", Runtime.getRuntime().availableProcessors())
                .add("cpu", cpu)
                .add("memoryGiB", Math.round(((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                        .getOperatingSystemMXBean()).getTotalMemorySize() / (1024.0 * 1024 * 1024)))
                .add("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .add("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
                .add("benchmarkHeap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB")
                .add("elasticmq", elasticMq)
                .add("moto", "moto " + moto)
                .build();
        json.add("machine", machine);
        machineLine = "Machine: " + machine.getInt("cores") + " cores (" + cpu + "), " + machine.getJsonNumber("memoryGiB") + " GiB, "
                + machine.getString("os") + "; JDK " + machine.getString("jdk") + "; " + elasticMq + " (SQS, own JVM, -Xmx1g).";
        md.append("Run: ").append(Instant.now().toString(), 0, 16).append("Z, mode ").append(full ? "full" : "smoke")
                .append(", ").append(messages).append(" messages per throughput run, ").append(reps).append(" runs per case.\n\n")
                .append("Machine: ").append(machine.getInt("cores")).append(" cores (").append(cpu).append("), ")
                .append(machine.getJsonNumber("memoryGiB")).append(" GiB, ").append(machine.getString("os")).append("; JDK ")
                .append(machine.getString("jdk")).append("; emulators ").append(elasticMq).append(" (SQS, own JVM, -Xmx1g) and ")
                .append(machine.getString("moto")).append(" (KMS), both on 127.0.0.1.\n\n");
    }

    private static String command(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }

    // ------------------------------------------------------------------------------------------- 1 + 2: throughput, requests

    /** Full mode: unrecorded rounds of every throughput case, each side, before the measured runs. */
    private static final int WARM_UP_ROUNDS = 2;

    private record Case(String name, boolean fifo, Scenarios.Mode mode) {
    }

    private double throughput(Scenarios scenarios) throws Exception {
        List<Case> cases = List.of(new Case("standard, backlog", false, Scenarios.Mode.BACKLOG),
                new Case("standard, streaming", false, Scenarios.Mode.STREAM),
                new Case("FIFO 64 groups, backlog", true, Scenarios.Mode.BACKLOG),
                new Case("FIFO 64 groups, streaming", true, Scenarios.Mode.STREAM));
        String filter = System.getProperty("bench.cases", ""); // diagnostic: only cases whose name contains this
        cases = cases.stream().filter(c -> c.name().contains(filter)).toList();
        if (full) {
            // both JVMs (this one and ElasticMQ's) keep compiling for tens of thousands of messages: a short warm-up
            // left the first measured runs at half the speed of the last, for SourceFlow and the baseline alike
            log("warm-up: every case %d times with %d messages (not recorded)", WARM_UP_ROUNDS, messages);
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                for (Case c : cases) {
                    scenarios.ours(c.fifo(), c.mode(), messages, false);
                    scenarios.baseline(c.fifo(), c.mode(), messages);
                }
            }
        }
        JsonArrayBuilder array = Json.createArrayBuilder();
        md.append("### 1–2. Command throughput and SQS requests per message\n\n")
                .append("Messages per second, median (min–max) of ").append(reps).append(" runs; ratio = SourceFlow / baseline, ")
                .append("computed per run (each run does both, order alternating) and then summarised. SQS requests: the ")
                .append("data-plane calls (SendMessageBatch, ReceiveMessage, DeleteMessageBatch, ChangeMessageVisibility*) ")
                .append("counted at the client, per message handled. CPU: this JVM's CPU time per message (sender + ")
                .append("consumer), and ElasticMQ's.\n\n")
                .append("| case | SourceFlow msg/s | baseline msg/s | ratio | SQS req/msg SourceFlow | SQS req/msg baseline ")
                .append("| JVM CPU µs/msg SourceFlow | baseline | ElasticMQ CPU µs/msg SourceFlow | baseline |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        double streamRate = Double.NaN;
        CpuProfile profile = CpuProfile.startIfRequested();
        for (Case c : cases) {
            List<Scenarios.Result> ours = new ArrayList<>();
            List<Scenarios.Result> base = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                Scenarios.Result o;
                Scenarios.Result b;
                if (r % 2 == 0) {
                    o = scenarios.ours(c.fifo(), c.mode(), messages, false);
                    b = scenarios.baseline(c.fifo(), c.mode(), messages);
                } else {
                    b = scenarios.baseline(c.fifo(), c.mode(), messages);
                    o = scenarios.ours(c.fifo(), c.mode(), messages, false);
                }
                ours.add(o);
                base.add(b);
                ratios.add(o.rate() / b.rate());
                log("%s run %d: SourceFlow %.0f msg/s (%.3f req/msg %s, receive %.1f ms, CPU %.0f µs/msg, ElasticMQ %.0f µs/msg), "
                                + "baseline %.0f msg/s (%.3f req/msg %s, receive %.1f ms, CPU %.0f µs/msg, ElasticMQ %.0f µs/msg), ratio %.2f",
                        c.name(), r + 1, o.rate(), o.requestsPerMessage(), o.ops(), o.receiveMillis(), o.cpuMicrosPerMessage(),
                        o.emulatorCpuMicrosPerMessage(), b.rate(), b.requestsPerMessage(), b.ops(), b.receiveMillis(),
                        b.cpuMicrosPerMessage(), b.emulatorCpuMicrosPerMessage(), o.rate() / b.rate());
            }
            Stats oursRate = stats(ours, Scenarios.Result::rate);
            Stats baseRate = stats(base, Scenarios.Result::rate);
            Stats ratio = Stats.of(ratios);
            Stats oursReq = stats(ours, Scenarios.Result::requestsPerMessage);
            Stats baseReq = stats(base, Scenarios.Result::requestsPerMessage);
            Stats oursCpu = stats(ours, Scenarios.Result::cpuMicrosPerMessage);
            Stats baseCpu = stats(base, Scenarios.Result::cpuMicrosPerMessage);
            Stats oursEmu = stats(ours, Scenarios.Result::emulatorCpuMicrosPerMessage);
            Stats baseEmu = stats(base, Scenarios.Result::emulatorCpuMicrosPerMessage);
            Stats oursReceive = stats(ours, Scenarios.Result::receiveMillis);
            Stats baseReceive = stats(base, Scenarios.Result::receiveMillis);
            array.add(Json.createObjectBuilder().add("case", c.name()).add("fifo", c.fifo()).add("mode", c.mode().name())
                    .add("messages", messages)
                    .add("sourceflowRate", stats(oursRate)).add("baselineRate", stats(baseRate)).add("ratio", stats(ratio))
                    .add("sourceflowRequestsPerMessage", stats(oursReq)).add("baselineRequestsPerMessage", stats(baseReq))
                    .add("sourceflowOpsLastRun", ops(ours.get(ours.size() - 1).ops()))
                    .add("baselineOpsLastRun", ops(base.get(base.size() - 1).ops()))
                    .add("sourceflowJvmCpuMicrosPerMessage", stats(oursCpu)).add("baselineJvmCpuMicrosPerMessage", stats(baseCpu))
                    .add("sourceflowElasticMqCpuMicrosPerMessage", stats(oursEmu))
                    .add("baselineElasticMqCpuMicrosPerMessage", stats(baseEmu))
                    .add("sourceflowReceiveMessageMillis", stats(oursReceive)).add("baselineReceiveMessageMillis", stats(baseReceive)));
            md.append("| ").append(c.name()).append(" | ").append(oursRate.format("%.0f")).append(" | ")
                    .append(baseRate.format("%.0f")).append(" | **").append(f2(ratio.median())).append("** (")
                    .append(f2(ratio.min())).append("–").append(f2(ratio.max())).append(") | ").append(oursReq.format("%.3f"))
                    .append(" | ").append(baseReq.format("%.3f")).append(" | ").append(String.format(Locale.ROOT, "%.0f", oursCpu.median()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", baseCpu.median())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", oursEmu.median())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", baseEmu.median())).append(" |\n");
            String key = (c.fifo() ? "fifo" : "standard") + "." + c.mode().name().toLowerCase(Locale.ROOT);
            measured.put(key + ".ratio", ratio.median());
            measured.put(key + ".requests", oursReq.median());
            if (!c.fifo() && c.mode() == Scenarios.Mode.STREAM) {
                streamRate = oursRate.median();
            }
        }
        profile.close();
        md.append("\nSQS operations of the last run of each case (SourceFlow / baseline) are in `target/benchmark-results.json`.\n\n");
        json.add("throughput", array);
        return streamRate;
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static Stats stats(List<Scenarios.Result> results, ToDoubleFunction<Scenarios.Result> metric) {
        return Stats.of(results.stream().map(r -> metric.applyAsDouble(r)).toList());
    }

    private static JsonObjectBuilder stats(Stats s) {
        return Json.createObjectBuilder().add("median", num(s.median())).add("min", num(s.min())).add("max", num(s.max()))
                .add("runs", s.n());
    }

    private static double num(double v) {
        return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : -1;
    }

    private static JsonObjectBuilder ops(Map<String, Long> ops) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        new java.util.TreeMap<>(ops).forEach(b::add);
        return b;
    }

    // ------------------------------------------------------------------------------------------- 4: encryption

    private void encryption(Scenarios scenarios) throws Exception {
        List<Scenarios.Result> plain = new ArrayList<>();
        List<Scenarios.Result> enc = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> kmsPer1000 = new ArrayList<>();
        if (full) {
            scenarios.ours(false, Scenarios.Mode.STREAM, messages / 5, true);
        }
        for (int r = 0; r < reps; r++) {
            Scenarios.Result p;
            Scenarios.Result e;
            if (r % 2 == 0) {
                p = scenarios.ours(false, Scenarios.Mode.STREAM, messages, false);
                e = scenarios.ours(false, Scenarios.Mode.STREAM, messages, true);
            } else {
                e = scenarios.ours(false, Scenarios.Mode.STREAM, messages, true);
                p = scenarios.ours(false, Scenarios.Mode.STREAM, messages, false);
            }
            plain.add(p);
            enc.add(e);
            ratios.add(e.rate() / p.rate());
            double kms = (e.kmsGenerateDataKey() + e.kmsDecrypt()) * 1000.0 / (e.messages() + 1); // + the warm-up message
            kmsPer1000.add(kms);
            log("encryption run %d: plaintext %.0f msg/s, encrypted %.0f msg/s, ratio %.2f; KMS GenerateDataKey %d + Decrypt %d for %d messages",
                    r + 1, p.rate(), e.rate(), e.rate() / p.rate(), e.kmsGenerateDataKey(), e.kmsDecrypt(), e.messages());
        }
        Stats ratio = Stats.of(ratios);
        Stats kms = Stats.of(kmsPer1000);
        Stats plainRate = stats(plain, Scenarios.Result::rate);
        Stats encRate = stats(enc, Scenarios.Result::rate);
        Stats plainCpu = stats(plain, Scenarios.Result::cpuMicrosPerMessage);
        Stats encCpu = stats(enc, Scenarios.Result::cpuMicrosPerMessage);
        Scenarios.Result last = enc.get(enc.size() - 1);
        json.add("encryption", Json.createObjectBuilder().add("case", "standard, streaming, SourceFlow only")
                .add("plaintextRate", stats(plainRate)).add("encryptedRate", stats(encRate)).add("ratio", stats(ratio))
                .add("kmsCallsPer1000Messages", stats(kms))
                .add("lastRunGenerateDataKey", last.kmsGenerateDataKey()).add("lastRunDecrypt", last.kmsDecrypt())
                .add("plaintextJvmCpuMicrosPerMessage", stats(plainCpu)).add("encryptedJvmCpuMicrosPerMessage", stats(encCpu)));
        md.append("### 4. KMS envelope encryption\n\n")
                .append("Standard queue, streaming, SourceFlow plaintext vs. SourceFlow encrypted (separate sender and consumer ")
                .append("deployments, so each has its own data-key cache; KMS on moto). KMS calls counted at SourceFlow's client.\n\n")
                .append("| metric | value |\n|---|---|\n")
                .append("| plaintext msg/s | ").append(plainRate.format("%.0f")).append(" |\n")
                .append("| encrypted msg/s | ").append(encRate.format("%.0f")).append(" |\n")
                .append("| encrypted / plaintext | **").append(f2(ratio.median())).append("** (").append(f2(ratio.min())).append("–")
                .append(f2(ratio.max())).append(") |\n")
                .append("| KMS calls per 1,000 messages (GenerateDataKey + Decrypt) | **").append(kms.format("%.2f"))
                .append("** (last run: ").append(last.kmsGenerateDataKey()).append(" + ").append(last.kmsDecrypt()).append(" for ")
                .append(last.messages()).append(" messages) |\n")
                .append("| JVM CPU µs/msg plaintext / encrypted | ").append(String.format(Locale.ROOT, "%.0f / %.0f",
                        plainCpu.median(), encCpu.median())).append(" |\n\n");
        measured.put("encryption.ratio", ratio.median());
        measured.put("encryption.kms", kms.median());
    }

    // ------------------------------------------------------------------------------------------- 3: latency

    private void latency(Scenarios scenarios, double rate) throws Exception {
        rate = Math.max(50, Math.round(rate / 10) * 10.0);
        log("latency at %.0f msg/s for %d s per run", rate, latencySeconds);
        List<Double> oP50 = new ArrayList<>(), oP99 = new ArrayList<>(), oMax = new ArrayList<>();
        List<Double> bP50 = new ArrayList<>(), bP99 = new ArrayList<>(), bMax = new ArrayList<>();
        List<Double> oReq = new ArrayList<>(), bReq = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            Scenarios.Result o = r % 2 == 0 ? scenarios.oursPaced(rate, latencySeconds) : null;
            Scenarios.Result b = scenarios.baselinePaced(rate, latencySeconds);
            if (o == null) {
                o = scenarios.oursPaced(rate, latencySeconds);
            }
            oP50.add(ms(Stats.percentile(o.sortedLatencies(), 50)));
            oP99.add(ms(Stats.percentile(o.sortedLatencies(), 99)));
            oMax.add(ms(o.sortedLatencies()[o.sortedLatencies().length - 1]));
            bP50.add(ms(Stats.percentile(b.sortedLatencies(), 50)));
            bP99.add(ms(Stats.percentile(b.sortedLatencies(), 99)));
            bMax.add(ms(b.sortedLatencies()[b.sortedLatencies().length - 1]));
            oReq.add(o.requestsPerMessage());
            bReq.add(b.requestsPerMessage());
            log("latency run %d: SourceFlow p50 %.1f p99 %.1f max %.1f ms (%.2f req/msg); baseline p50 %.1f p99 %.1f max %.1f ms (%.2f req/msg)",
                    r + 1, oP50.get(r), oP99.get(r), oMax.get(r), oReq.get(r), bP50.get(r), bP99.get(r), bMax.get(r), bReq.get(r));
        }
        json.add("latency", Json.createObjectBuilder().add("rate", rate).add("secondsPerRun", latencySeconds)
                .add("sourceflowP50Ms", stats(Stats.of(oP50))).add("sourceflowP99Ms", stats(Stats.of(oP99)))
                .add("sourceflowMaxMs", stats(Stats.of(oMax)))
                .add("baselineP50Ms", stats(Stats.of(bP50))).add("baselineP99Ms", stats(Stats.of(bP99)))
                .add("baselineMaxMs", stats(Stats.of(bMax)))
                .add("sourceflowRequestsPerMessage", stats(Stats.of(oReq))).add("baselineRequestsPerMessage", stats(Stats.of(bReq))));
        md.append("### 3. Latency, send to handler start\n\n")
                .append("Standard queue, paced sends at ").append(String.format(Locale.ROOT, "%.0f", rate))
                .append(" msg/s (about half of SourceFlow's measured streaming maximum) for ").append(latencySeconds)
                .append(" s per run; the first 10 % of each run is warm-up. Milliseconds from the scheduled send to the ")
                .append("handler's first line; median (min–max) over runs. SourceFlow batches sends with its default ")
                .append("5 ms linger; the baseline sends whatever is due at once.\n\n")
                .append("| | p50 ms | p99 ms | max ms | SQS req/msg |\n|---|---|---|---|---|\n")
                .append("| SourceFlow | ").append(Stats.of(oP50).format("%.1f")).append(" | ").append(Stats.of(oP99).format("%.1f"))
                .append(" | ").append(Stats.of(oMax).format("%.1f")).append(" | ").append(Stats.of(oReq).format("%.2f")).append(" |\n")
                .append("| baseline | ").append(Stats.of(bP50).format("%.1f")).append(" | ").append(Stats.of(bP99).format("%.1f"))
                .append(" | ").append(Stats.of(bMax).format("%.1f")).append(" | ").append(Stats.of(bReq).format("%.2f")).append(" |\n\n");
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    // ------------------------------------------------------------------------------------------- 6: memory

    private void memory(Scenarios scenarios) throws Exception {
        log("memory: backlog of %d messages, max-concurrent-messages %d", memoryBacklog, Scenarios.MAX_CONCURRENT);
        Scenarios.MemoryResult m = scenarios.memory(memoryBacklog);
        JsonArrayBuilder samples = Json.createArrayBuilder();
        StringBuilder row = new StringBuilder();
        for (long[] s : m.samples()) {
            samples.add(Json.createObjectBuilder().add("backlogRemaining", s[0]).add("heapAfterGcBytes", s[1]));
            row.append(String.format(Locale.ROOT, "| %,d | %.1f |%n", s[0], s[1] / 1048576.0));
        }
        double growth = (m.maxAfterGc() - m.minAfterGc()) / 1048576.0;
        json.add("memory", Json.createObjectBuilder().add("backlog", m.backlog()).add("maxConcurrentMessages", Scenarios.MAX_CONCURRENT)
                .add("heapBeforeConsumerBytes", m.heapBeforeConsumer()).add("samples", samples)
                .add("maxMinusMinMiB", num(growth)).add("drainRate", num(m.rate())));
        md.append("### 6. Heap while a backlog drains\n\n")
                .append(String.format(Locale.ROOT, "A backlog of %,d messages, one consumer deployment with max-concurrent-messages %d "
                        + "(drained at %.0f msg/s). Used heap after a full GC (`System.gc()` twice) while the backlog drains; "
                        + "before the consumer started: %.1f MiB.%n%n", m.backlog(), Scenarios.MAX_CONCURRENT, m.rate(),
                        m.heapBeforeConsumer() / 1048576.0))
                .append("| backlog remaining | heap after GC, MiB |\n|---|---|\n").append(row)
                .append(String.format(Locale.ROOT, "%nSpread across the samples: %.1f MiB.%n%n", growth));
        measured.put("memory.growthMiB", growth);
    }

    // ------------------------------------------------------------------------------------------- 5: JMH

    private void jmh(int payloadChars) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(HotPathBenchmark.class.getName() + "." + (full ? "" : "encodeDecode"))
                .param("payloadChars", Integer.toString(payloadChars))
                .addProfiler(GCProfiler.class)
                .jvmArgs("-Xmx512m", "-Xms512m")
                .shouldFailOnError(true)
                .forks(full ? 3 : 1)
                .warmupIterations(full ? 3 : 1).warmupTime(TimeValue.seconds(1))
                .measurementIterations(full ? 5 : 1).measurementTime(TimeValue.seconds(1))
                .result(target.resolve("jmh-results.json").toString())
                .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON);
        Collection<RunResult> results = new Runner(options.build()).run();
        JsonArrayBuilder array = Json.createArrayBuilder();
        md.append("### 5. Hot-path CPU and allocation (JMH)\n\n")
                .append("One 1 KB command through the library's encode (send side: id, JSON-B data, optional AES-256-GCM with a ")
                .append("cached data key, CloudEvent, attributes, size) and decode (receive side: SNS-envelope check, CloudEvent ")
                .append("parse, allow-list, optional decryption, JSON-B binding), single thread. ")
                .append(full ? "3 forks × 5 × 1 s after 3 × 1 s warm-up" : "1 fork, 1 × 1 s (smoke)")
                .append("; ± is JMH's 99.9 % confidence interval. Allocation from `-prof gc` (`gc.alloc.rate.norm`).\n\n")
                .append("| benchmark | data | µs/op | bytes allocated/op |\n|---|---|---|---|\n");
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String data = result.getParams().getParam("data");
            Result<?> primary = result.getPrimaryResult();
            double alloc = result.getSecondaryResults().entrySet().stream().filter(e -> e.getKey().endsWith("gc.alloc.rate.norm"))
                    .mapToDouble(e -> e.getValue().getScore()).findFirst().orElse(Double.NaN);
            array.add(Json.createObjectBuilder().add("benchmark", method).add("data", data).add("microsPerOp", num(primary.getScore()))
                    .add("error", num(primary.getScoreError())).add("bytesPerOp", num(alloc)));
            md.append("| ").append(method).append(" | ").append(data).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f ± %.2f", primary.getScore(), primary.getScoreError())).append(" | ")
                    .append(String.format(Locale.ROOT, "%,.0f", alloc)).append(" |\n");
            if (method.equals("encodeDecode")) {
                measured.put("jmh." + data, primary.getScore());
            }
        }
        md.append('\n');
        json.add("jmh", array);
    }

    // ------------------------------------------------------------------------------------------- goals + output

    private void goalsSection() {
        if (measured.isEmpty()) {
            return;
        }
        goal("Throughput ≥ 0.9 × baseline, standard, backlog", "standard.backlog.ratio", v -> v >= 0.9, "%.2f");
        goal("Throughput ≥ 0.9 × baseline, FIFO, backlog", "fifo.backlog.ratio", v -> v >= 0.9, "%.2f");
        goal("≤ 0.35 SQS requests/message under load (standard, streaming)", "standard.stream.requests", v -> v <= 0.35, "%.3f");
        goal("≤ 0.35 SQS requests/message under load (FIFO, streaming)", "fifo.stream.requests", v -> v <= 0.35, "%.3f");
        goal("≤ 0.35 SQS requests/message (standard, backlog)", "standard.backlog.requests", v -> v <= 0.35, "%.3f");
        goal("≤ 2 KMS calls per 1,000 encrypted messages", "encryption.kms", v -> v <= 2, "%.2f");
        goal("Encrypted throughput ≥ 0.85 × plaintext", "encryption.ratio", v -> v >= 0.85, "%.2f");
        goal("Hot path ≤ 20 µs/message, plaintext", "jmh.plaintext", v -> v <= 20, "%.1f µs");
        goal("Hot path ≤ 40 µs/message, encrypted", "jmh.encrypted", v -> v <= 40, "%.1f µs");
        goal("Heap bounded while a backlog drains (spread < 32 MiB)", "memory.growthMiB", v -> v < 32, "%.1f MiB");
        StringBuilder table = new StringBuilder("### Goals\n\n| goal | measured (median) | met |\n|---|---|---|\n");
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (String[] g : goals) {
            table.append("| ").append(g[0]).append(" | ").append(g[1]).append(" | ").append(g[2]).append(" |\n");
            array.add(Json.createObjectBuilder().add("goal", g[0]).add("measured", g[1]).add("met", g[2]));
        }
        md.insert(md.indexOf("###") < 0 ? md.length() : md.indexOf("###"), table.append('\n'));
        json.add("goals", array);
    }

    private void goal(String name, String key, java.util.function.DoublePredicate ok, String format) {
        Double value = measured.get(key);
        if (value == null) {
            return;
        }
        goals.add(new String[]{name, String.format(Locale.ROOT, format, value), ok.test(value) ? "yes" : "**no**"});
    }

    private void write() throws IOException {
        Files.createDirectories(target);
        JsonWriterFactory factory = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true));
        StringWriter out = new StringWriter();
        try (JsonWriter writer = factory.createWriter(out)) {
            writer.writeObject(json.build());
        }
        Path results = target.resolve("benchmark-results.json");
        Files.writeString(results, out.toString());
        log("wrote %s", results);
        boolean main = only.stream().anyMatch(MAIN_PARTS::contains);
        boolean outboxRan = outbox != null && outbox.json != null;
        if (full) {
            Path docs = Path.of(System.getProperty("bench.docs", "../docs/benchmarks.md")).toAbsolutePath().normalize();
            String page = Files.exists(docs) ? Files.readString(docs) : "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n";
            if (main) {
                page = replaceBetween(page, BEGIN, END, md.toString());
            }
            if (outboxRan) {
                page = replaceBetween(page, OUTBOX_BEGIN, OUTBOX_END, outbox.md.toString());
            }
            if (main || outboxRan) {
                Files.writeString(docs, page);
                log("wrote the %s of %s", main && outboxRan ? "results and outbox sections" : main ? "results section"
                        : "outbox section", docs);
            }
        } else {
            Path smoke = target.resolve("benchmarks-smoke.md");
            Files.writeString(smoke, md + (outbox != null ? outbox.md.toString() : ""));
            log("wrote %s (smoke mode: docs/benchmarks.md is left alone)", smoke);
        }
        if (full) {
            System.out.println(main ? md : "");
            System.out.println(outboxRan ? outbox.md : "");
        }
    }

    /** {@code page} with the text between two markers replaced (the markers appended if missing). */
    private static String replaceBetween(String page, String beginMarker, String endMarker, String content) {
        int begin = page.indexOf(beginMarker);
        int end = page.indexOf(endMarker);
        if (begin < 0 || end < begin) {
            page = page + "\n" + beginMarker + "\n" + endMarker + "\n";
            begin = page.indexOf(beginMarker);
            end = page.indexOf(endMarker);
        }
        return page.substring(0, begin + beginMarker.length()) + "\n\n" + content + page.substring(end);
    }

    @SuppressWarnings("unused")
    private static <T> Function<T, T> identity() {
        return t -> t;
    }
}
