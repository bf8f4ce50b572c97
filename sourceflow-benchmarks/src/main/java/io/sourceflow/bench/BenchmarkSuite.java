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

            if (only.contains("throughput")) {
                throughput(scenarios);
                queuesLeft(sqs, "throughput");
            }
            if (only.contains("encryption")) {
                encryption(scenarios);
                queuesLeft(sqs, "encryption");
            }
            if (only.contains("latency")) {
                latency(scenarios, latencyRate());
                queuesLeft(sqs, "latency");
            }
            if (only.contains("memory")) {
                memory(scenarios);
                queuesLeft(sqs, "memory");
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

    /** Each run deletes its queues: what is left here would grow ElasticMQ's heap for the rest of the suite. */
    private static void queuesLeft(SqsClient sqs, String section) {
        log("after %s ElasticMQ holds %d queue(s)", section, sqs.listQueues().queueUrls().size());
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

    /** The consumers of the throughput and latency cases. */
    enum Consumer {
        RAW("raw loop", null), SOURCEFLOW("SourceFlow", null),
        SPRING_DEFAULTS("Spring defaults", SpringConsumer.Config.DEFAULTS),
        SPRING_LIKE_OURS("Spring, concurrency like ours", SpringConsumer.Config.LIKE_OURS);

        final String label;
        final SpringConsumer.Config spring;

        Consumer(String label, SpringConsumer.Config spring) {
            this.label = label;
            this.spring = spring;
        }
    }

    /** A throughput case: queue type, mode and {@code max-concurrent-messages} N (the raw loop gets N pollers). */
    private record Case(boolean fifo, Scenarios.Mode mode, int concurrency) {
        String name() {
            return (fifo ? "FIFO " + Scenarios.GROUPS + " groups" : "standard") + ", "
                    + (mode == Scenarios.Mode.BACKLOG ? "backlog" : "streaming") + ", N=" + concurrency;
        }

        String key() {
            return (fifo ? "fifo" : "standard") + "." + mode.name().toLowerCase(Locale.ROOT) + "." + concurrency;
        }
    }

    /** Full mode: backlog at N = 10 (the library's default), 16 and 64; streaming at 10 and 64. Smoke: N = 10. */
    private List<Case> cases() {
        List<Integer> backlogN = full ? List.of(10, 16, 64) : List.of(10);
        List<Integer> streamN = full ? List.of(10, 64) : List.of(10);
        String only = System.getProperty("bench.concurrency", ""); // diagnostic: only these N (comma-separated)
        List<Case> cases = new ArrayList<>();
        for (boolean fifo : new boolean[]{false, true}) {
            backlogN.forEach(n -> cases.add(new Case(fifo, Scenarios.Mode.BACKLOG, n)));
            streamN.forEach(n -> cases.add(new Case(fifo, Scenarios.Mode.STREAM, n)));
        }
        String filter = System.getProperty("bench.cases", ""); // diagnostic: only cases whose name contains this
        return cases.stream().filter(c -> c.name().contains(filter))
                .filter(c -> only.isBlank() || List.of(only.split(",")).contains(Integer.toString(c.concurrency()))).toList();
    }

    /**
     * Raw loop, SourceFlow and Spring with its defaults; in full mode also Spring with maxConcurrentMessages = N where
     * N is not 10 (at 10 that is its default: the two would differ only in the poll timeout of an empty queue).
     */
    private List<Consumer> consumers(Case c) {
        if (!full) {
            // smoke: one Spring configuration; at N = 10 "like ours" is the defaults with our 2 s poll timeout
            return List.of(Consumer.RAW, Consumer.SOURCEFLOW, Consumer.SPRING_LIKE_OURS);
        }
        List<Consumer> list = new ArrayList<>(List.of(Consumer.RAW, Consumer.SOURCEFLOW, Consumer.SPRING_DEFAULTS));
        if (c.concurrency() != 10) {
            list.add(Consumer.SPRING_LIKE_OURS);
        }
        return list;
    }

    private Scenarios.Result runOne(Scenarios scenarios, Scenarios.OursCase ours, Case c, Consumer consumer) throws Exception {
        return switch (consumer) {
            case RAW -> scenarios.baseline(c.fifo(), c.mode(), messages, c.concurrency());
            case SOURCEFLOW -> ours.run(messages);
            case SPRING_DEFAULTS, SPRING_LIKE_OURS -> scenarios.spring(c.fifo(), c.mode(), messages, consumer.spring, c.concurrency());
        };
    }

    private void throughput(Scenarios scenarios) throws Exception {
        List<Case> cases = cases();
        JsonArrayBuilder array = Json.createArrayBuilder();
        StringBuilder table = new StringBuilder();
        List<String> springAhead = new ArrayList<>();
        List<String> keepingUp = new ArrayList<>();
        CpuProfile profile = CpuProfile.startIfRequested();
        try {
            for (Case c : cases) {
                List<Consumer> consumers = consumers(c);
                Map<Consumer, List<Scenarios.Result>> results = new LinkedHashMap<>();
                Map<Consumer, List<Double>> ratios = new LinkedHashMap<>();
                Map<Consumer, List<Double>> cpuRatios = new LinkedHashMap<>();
                consumers.forEach(k -> {
                    results.put(k, new ArrayList<>());
                    ratios.put(k, new ArrayList<>());
                    cpuRatios.put(k, new ArrayList<>());
                });
                // one SourceFlow sender and consumer deployment for the whole case: warm-up and measured runs
                try (Scenarios.OursCase ours = scenarios.oursCase(c.fifo(), c.mode(), c.concurrency())) {
                    if (full) {
                        // both JVMs keep compiling for tens of thousands of messages: without a warm-up the first measured
                        // runs were at half the speed of the last, for every consumer
                        log("%s: warm-up, %d rounds of %d messages each (not recorded)", c.name(), WARM_UP_ROUNDS, messages);
                        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                            for (Consumer k : consumers) {
                                runOne(scenarios, ours, c, k);
                            }
                        }
                    }
                    for (int r = 0; r < reps; r++) {
                        List<Consumer> order = new ArrayList<>(consumers);
                        if (r % 2 == 1) {
                            java.util.Collections.reverse(order);
                        }
                        Map<Consumer, Scenarios.Result> run = new LinkedHashMap<>();
                        for (Consumer k : order) {
                            run.put(k, runOne(scenarios, ours, c, k));
                        }
                        Scenarios.Result raw = run.get(Consumer.RAW);
                        StringBuilder line = new StringBuilder();
                        for (Consumer k : consumers) {
                            Scenarios.Result x = run.get(k);
                            results.get(k).add(x);
                            ratios.get(k).add(x.rate() / raw.rate());
                            cpuRatios.get(k).add(x.cpuMicrosPerMessage() / raw.cpuMicrosPerMessage());
                            line.append(String.format(Locale.ROOT, "; %s %.0f msg/s ×%.2f (%.3f req/msg %s, CPU %.0f µs/msg, ElasticMQ %.0f µs/msg)",
                                    k.label, x.rate(), x.rate() / raw.rate(), x.requestsPerMessage(), x.ops(),
                                    x.cpuMicrosPerMessage(), x.emulatorCpuMicrosPerMessage()));
                        }
                        log("%s run %d%s", c.name(), r + 1, line);
                    }
                }
                JsonArrayBuilder perConsumer = Json.createArrayBuilder();
                Map<Consumer, Stats> ratioStats = new LinkedHashMap<>();
                Map<Consumer, Stats> reqStats = new LinkedHashMap<>();
                Map<Consumer, Stats> cpuStats = new LinkedHashMap<>();
                for (Consumer k : consumers) {
                    List<Scenarios.Result> rs = results.get(k);
                    Stats rate = stats(rs, Scenarios.Result::rate);
                    Stats ratio = Stats.of(ratios.get(k));
                    Stats req = stats(rs, Scenarios.Result::requestsPerMessage);
                    Stats cpu = stats(rs, Scenarios.Result::cpuMicrosPerMessage);
                    Stats cpuRatio = Stats.of(cpuRatios.get(k));
                    Stats emu = stats(rs, Scenarios.Result::emulatorCpuMicrosPerMessage);
                    ratioStats.put(k, ratio);
                    reqStats.put(k, req);
                    cpuStats.put(k, cpu);
                    perConsumer.add(Json.createObjectBuilder().add("consumer", k.label).add("rate", stats(rate))
                            .add("ratioToRaw", stats(ratio)).add("requestsPerMessage", stats(req))
                            .add("jvmCpuMicrosPerMessage", stats(cpu)).add("jvmCpuRatioToRaw", stats(cpuRatio))
                            .add("elasticMqCpuMicrosPerMessage", stats(emu))
                            .add("receiveMessageMillis", stats(stats(rs, Scenarios.Result::receiveMillis)))
                            .add("opsLastRun", ops(rs.get(rs.size() - 1).ops())));
                    table.append("| ").append(k == Consumer.RAW ? c.name() : "").append(" | ").append(k.label).append(" | ")
                            .append(rate.format("%.0f")).append(" | ")
                            .append(k == Consumer.RAW ? "1" : "**" + f2(ratio.median()) + "** (" + f2(ratio.min()) + "–" + f2(ratio.max()) + ")")
                            .append(" | ").append(req.format("%.3f")).append(" | ")
                            .append(String.format(Locale.ROOT, "%.0f", cpu.median()))
                            .append(k == Consumer.RAW ? "" : String.format(Locale.ROOT, " (×%.2f)", cpuRatio.median()))
                            .append(" | ").append(String.format(Locale.ROOT, "%.0f", emu.median())).append(" |\n");
                    String key = c.key() + "." + k.name().toLowerCase(Locale.ROOT);
                    measured.put(key + ".ratio", ratio.median());
                    measured.put(key + ".requests", req.median());
                    measured.put(key + ".cpuRatio", cpuRatio.median());
                }
                array.add(Json.createObjectBuilder().add("case", c.name()).add("fifo", c.fifo()).add("mode", c.mode().name())
                        .add("maxConcurrentMessages", c.concurrency()).add("messages", messages).add("consumers", perConsumer));
                double ours = ratioStats.get(Consumer.SOURCEFLOW).median();
                for (Consumer k : consumers) {
                    if (k.spring == null) {
                        continue;
                    }
                    List<String> ahead = new ArrayList<>();
                    if (Math.round(ratioStats.get(k).median() * 100) > Math.round(ours * 100)) { // ahead as printed
                        ahead.add(String.format(Locale.ROOT, "faster (%.2f × raw against SourceFlow's %.2f)", ratioStats.get(k).median(), ours));
                    }
                    if (reqStats.get(k).median() < reqStats.get(Consumer.SOURCEFLOW).median() - 0.005) {
                        ahead.add(String.format(Locale.ROOT, "fewer SQS requests per message (%.3f against %.3f)",
                                reqStats.get(k).median(), reqStats.get(Consumer.SOURCEFLOW).median()));
                    }
                    if (cpuStats.get(k).median() < cpuStats.get(Consumer.SOURCEFLOW).median()) {
                        ahead.add(String.format(Locale.ROOT, "less JVM CPU per message (%.0f µs against %.0f)",
                                cpuStats.get(k).median(), cpuStats.get(Consumer.SOURCEFLOW).median()));
                    }
                    if (!ahead.isEmpty()) {
                        springAhead.add("- " + c.name() + ": **" + k.label + " is ahead of SourceFlow**: " + String.join("; ", ahead) + ".");
                    }
                }
                if (c.mode() == Scenarios.Mode.STREAM) {
                    keepingUp.add(String.format(Locale.ROOT, "- %s: SourceFlow's streaming rate is %.2f × the raw loop's: it %s.",
                            c.name(), ours, ours >= KEEPS_UP ? "keeps up" : "**does not keep up**"));
                }
            }
        } finally {
            profile.close();
        }
        md.append("### 1–2. Command throughput, SQS requests and CPU per message: raw loop, SourceFlow, Spring Cloud AWS\n\n")
                .append("Messages per second, median (min–max) of ").append(reps).append(" runs; × raw = the consumer's rate / the raw ")
                .append("loop's in the same run, computed per run (each run does every consumer, the order reversed every other ")
                .append("run) and then summarised. N = `max-concurrent-messages` for SourceFlow, `maxConcurrentMessages` for ")
                .append("\"Spring, concurrency like ours\", and the raw loop's number of receive-handle-delete threads. SQS requests: ")
                .append("the data-plane calls (SendMessageBatch, ReceiveMessage, DeleteMessageBatch, ChangeMessageVisibility*) ")
                .append("counted at the clients, sends included, per message handled. JVM CPU: this JVM's CPU time per message ")
                .append("(sender + consumer; × = per-run ratio to the raw loop's), and ElasticMQ's.\n\n")
                .append("| case | consumer | msg/s | × raw | SQS req/msg | JVM CPU µs/msg | ElasticMQ CPU µs/msg |\n")
                .append("|---|---|---|---|---|---|---|\n").append(table).append('\n');
        md.append("**Where Spring Cloud AWS is ahead of SourceFlow:** ").append(springAhead.isEmpty()
                ? "in no case (throughput, requests or CPU per message).\n\n" : "\n\n" + String.join("\n", springAhead) + "\n\n");
        if (!keepingUp.isEmpty()) {
            md.append("**Unthrottled streaming** (four producer threads sending as fast as they can; SourceFlow keeps up when its ")
                    .append("rate from the first send to the last handled message is at least ").append(f2(KEEPS_UP))
                    .append(" × the raw loop's, whose producers are the same):\n\n").append(String.join("\n", keepingUp)).append("\n\n");
        }
        md.append("SQS operations of the last run of each consumer and case are in `target/benchmark-results.json`.\n\n");
        json.add("throughput", array);
    }

    /** SourceFlow "keeps up" with unthrottled producers when its streaming rate is at least this × the raw loop's. */
    private static final double KEEPS_UP = 0.9;

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

    private static double latencyRate() {
        String rate = System.getProperty("bench.latency-rate", "");
        return rate.isBlank() ? 1000 : Double.parseDouble(rate);
    }

    /** Latency consumers at the defaults: raw loop with 10 threads, SourceFlow (library defaults), Spring's defaults. */
    private static final int LATENCY_N = 10;

    private void latency(Scenarios scenarios, double rate) throws Exception {
        log("latency at %.0f msg/s for %d s per run", rate, latencySeconds);
        List<Consumer> consumers = List.of(Consumer.RAW, Consumer.SOURCEFLOW, full ? Consumer.SPRING_DEFAULTS : Consumer.SPRING_LIKE_OURS);
        Consumer spring = consumers.get(2);
        Map<Consumer, List<Double>> p50 = new LinkedHashMap<>(), p99 = new LinkedHashMap<>(), max = new LinkedHashMap<>(),
                req = new LinkedHashMap<>();
        for (Consumer k : consumers) {
            p50.put(k, new ArrayList<>());
            p99.put(k, new ArrayList<>());
            max.put(k, new ArrayList<>());
            req.put(k, new ArrayList<>());
        }
        // SourceFlow at the library's defaults (max-concurrent-messages 10, batch-linger 5 ms), one deployment pair kept
        try (Scenarios.OursCase ours = scenarios.oursCase(false, Scenarios.Mode.STREAM, 0)) {
            for (int r = 0; r < reps; r++) {
                List<Consumer> order = new ArrayList<>(consumers);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                StringBuilder line = new StringBuilder();
                for (Consumer k : order) {
                    Scenarios.Result x = switch (k) {
                        case RAW -> scenarios.baselinePaced(rate, latencySeconds, LATENCY_N);
                        case SOURCEFLOW -> scenarios.oursPaced(ours, rate, latencySeconds);
                        default -> scenarios.springPaced(rate, latencySeconds, k.spring, LATENCY_N);
                    };
                    long[] sorted = x.sortedLatencies();
                    p50.get(k).add(ms(Stats.percentile(sorted, 50)));
                    p99.get(k).add(ms(Stats.percentile(sorted, 99)));
                    max.get(k).add(ms(sorted[sorted.length - 1]));
                    req.get(k).add(x.requestsPerMessage());
                    line.append(String.format(Locale.ROOT, "; %s p50 %.1f p99 %.1f max %.1f ms (%.2f req/msg %s)", k.label,
                            p50.get(k).get(r), p99.get(k).get(r), max.get(k).get(r), req.get(k).get(r), x.ops()));
                }
                log("latency run %d%s", r + 1, line);
            }
        }
        JsonArrayBuilder array = Json.createArrayBuilder();
        StringBuilder table = new StringBuilder();
        for (Consumer k : consumers) {
            array.add(Json.createObjectBuilder().add("consumer", k.label).add("p50Ms", stats(Stats.of(p50.get(k))))
                    .add("p99Ms", stats(Stats.of(p99.get(k)))).add("maxMs", stats(Stats.of(max.get(k))))
                    .add("requestsPerMessage", stats(Stats.of(req.get(k)))));
            table.append("| ").append(k.label).append(" | ").append(Stats.of(p50.get(k)).format("%.1f")).append(" | ")
                    .append(Stats.of(p99.get(k)).format("%.1f")).append(" | ").append(Stats.of(max.get(k)).format("%.1f"))
                    .append(" | ").append(Stats.of(req.get(k)).format("%.2f")).append(" |\n");
        }
        json.add("latency", Json.createObjectBuilder().add("rate", rate).add("secondsPerRun", latencySeconds).add("consumers", array));
        double oP50 = Stats.of(p50.get(Consumer.SOURCEFLOW)).median(), rP50 = Stats.of(p50.get(Consumer.RAW)).median();
        double oP99 = Stats.of(p99.get(Consumer.SOURCEFLOW)).median(), rP99 = Stats.of(p99.get(Consumer.RAW)).median();
        double sP50 = Stats.of(p50.get(spring)).median(), sP99 = Stats.of(p99.get(spring)).median();
        double oReq = Stats.of(req.get(Consumer.SOURCEFLOW)).median(), sReq = Stats.of(req.get(spring)).median();
        measured.put("latency.p50.excess", oP50 - rP50);
        measured.put("latency.p99.ratio", oP99 / rP99);
        measured.put("latency.requests", oReq);
        measured.put("latency.p50", oP50);
        measured.put("latency.rawP50", rP50);
        measured.put("latency.p99", oP99);
        measured.put("latency.rawP99", rP99);
        List<String> ahead = new ArrayList<>();
        if (sP50 < oP50) {
            ahead.add(String.format(Locale.ROOT, "a lower p50 (%.1f ms against %.1f)", sP50, oP50));
        }
        if (sP99 < oP99) {
            ahead.add(String.format(Locale.ROOT, "a lower p99 (%.1f ms against %.1f)", sP99, oP99));
        }
        if (sReq < oReq - 0.005) {
            ahead.add(String.format(Locale.ROOT, "fewer SQS requests per message (%.2f against %.2f)", sReq, oReq));
        }
        md.append("### 3. Latency at ").append(String.format(Locale.ROOT, "%.0f", rate)).append(" msg/s, send to handler start\n\n")
                .append("Standard queue, paced sends (a message every 1/rate s) for ").append(latencySeconds)
                .append(" s per run; the first 10 % of each run is warm-up. Milliseconds from the scheduled send to the ")
                .append("handler's first line; median (min–max) over runs. Every consumer at its defaults: SourceFlow with ")
                .append("`max-concurrent-messages` 10 and its 5 ms `batch-linger` (its sender batches sends); the raw loop with ")
                .append(LATENCY_N).append(" receive-handle-delete threads and Spring's container with its defaults")
                .append(full ? "" : " (smoke: with our 2 s poll timeout)").append(", both fed by ")
                .append("the raw sender, which sends whatever is due at once. SQS requests per message include the sends.\n\n")
                .append("| consumer | p50 ms | p99 ms | max ms | SQS req/msg |\n|---|---|---|---|---|\n").append(table).append('\n')
                .append(ahead.isEmpty() ? "Spring's container is not ahead of SourceFlow here.\n\n"
                        : "**" + spring.label + " is ahead of SourceFlow here**: " + String.join("; ", ahead) + ".\n\n");
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
        for (String type : List.of("standard", "fifo")) {
            String label = type.equals("fifo") ? "FIFO" : "standard";
            for (int n : List.of(10, 16, 64)) {
                goal("Backlog throughput ≥ 0.9 × raw loop, " + label + ", N=" + n, type + ".backlog." + n + ".sourceflow.ratio",
                        v -> v >= 0.9, "%.2f");
            }
        }
        for (String type : List.of("standard", "fifo")) {
            String label = type.equals("fifo") ? "FIFO" : "standard";
            for (int n : List.of(10, 16, 64)) {
                goal("JVM CPU per message ≤ 1.3 × raw loop's, " + label + " backlog, N=" + n,
                        type + ".backlog." + n + ".sourceflow.cpuRatio", v -> v <= 1.3, "%.2f ×");
            }
        }
        Double p50 = measured.get("latency.p50");
        if (p50 != null) {
            goals.add(new String[]{"Streaming 1,000 msg/s: p50 ≤ raw p50 + 2 ms", String.format(Locale.ROOT, "%.1f ms (raw %.1f ms)",
                    p50, measured.get("latency.rawP50")), measured.get("latency.p50.excess") <= 2 ? "yes" : "**no**"});
            goals.add(new String[]{"Streaming 1,000 msg/s: p99 ≤ raw p99", String.format(Locale.ROOT, "%.1f ms (raw %.1f ms)",
                    measured.get("latency.p99"), measured.get("latency.rawP99")), measured.get("latency.p99.ratio") <= 1 ? "yes" : "**no**"});
        }
        goal("Streaming 1,000 msg/s: ≤ 0.35 SQS requests/message", "latency.requests", v -> v <= 0.35, "%.3f");
        for (int n : List.of(10, 64)) {
            goal("FIFO streaming ≤ 0.35 SQS requests/message, N=" + n, "fifo.stream." + n + ".sourceflow.requests", v -> v <= 0.35, "%.3f");
        }
        for (String type : List.of("standard", "fifo")) {
            for (int n : List.of(10, 64)) {
                goal("Unthrottled streaming keeps up (≥ " + f2(KEEPS_UP) + " × raw loop's rate), " + (type.equals("fifo") ? "FIFO" : "standard")
                        + ", N=" + n, type + ".stream." + n + ".sourceflow.ratio", v -> v >= KEEPS_UP, "%.2f");
            }
        }
        goal("≤ 0.35 SQS requests/message (standard, backlog, N=10)", "standard.backlog.10.sourceflow.requests", v -> v <= 0.35, "%.3f");
        goal("≤ 2 KMS calls per 1,000 encrypted messages", "encryption.kms", v -> v <= 2, "%.2f");
        goal("Encrypted throughput ≥ 0.9 × plaintext", "encryption.ratio", v -> v >= 0.9, "%.2f");
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
