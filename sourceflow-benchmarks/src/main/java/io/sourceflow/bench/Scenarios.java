package io.sourceflow.bench;

import io.sourceflow.CommandBus;
import io.sourceflow.aws.ListenerControl;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One measured run each: SourceFlow (a sender deployment and a consumer deployment, in this JVM, through the
 * library's public API) or the raw-SDK baseline (hand-written SendMessageBatch / ReceiveMessage / DeleteMessageBatch
 * loops), against the same ElasticMQ.
 */
final class Scenarios {

    static final int GROUPS = 64;
    static final int MAX_CONCURRENT = 64;
    /** Diagnostic: the raw loop's threads in every case instead of N (0: N, as issue 15 asks). */
    static final int BASELINE_POLLERS = Integer.getInteger("bench.baseline-pollers", 0);
    /** Diagnostic: the baseline also asks for every message attribute and the system attributes SourceFlow asks for. */
    static final boolean BASELINE_ALL_ATTRIBUTES = Boolean.getBoolean("bench.baseline-all-attributes");
    static final int SENDER_THREADS = 4;
    static final int WAIT_SECONDS = 2;

    enum Mode { BACKLOG, STREAM }

    /** What one run measured. */
    record Result(int messages, double rate, long sqsRequests, Map<String, Long> ops, double cpuMicrosPerMessage,
                  double emulatorCpuMicrosPerMessage, long kmsGenerateDataKey, long kmsDecrypt, long[] sortedLatencies,
                  double receiveMillis) {

        double requestsPerMessage() {
            return (double) sqsRequests / messages;
        }

        /** Streaming: the rate from the first send to the last handler start, instead of first to last handler start. */
        Result ratedFromFirstSend(long firstSendNanos, long lastHandledNanos) {
            return new Result(messages, messages / ((lastHandledNanos - firstSendNanos) / 1e9), sqsRequests, ops,
                    cpuMicrosPerMessage, emulatorCpuMicrosPerMessage, kmsGenerateDataKey, kmsDecrypt, sortedLatencies,
                    receiveMillis);
        }

        /** With KMS calls made before the measured part (the deployments' warm-up) added. */
        Result plusKms(long generateDataKey, long decrypt) {
            return new Result(messages, rate, sqsRequests, ops, cpuMicrosPerMessage, emulatorCpuMicrosPerMessage,
                    kmsGenerateDataKey + generateDataKey, kmsDecrypt + decrypt, sortedLatencies, receiveMillis);
        }
    }

    private final URI sqsEndpoint;
    private final EmulatorProcess elasticMq;
    private final SqsClient baselineSqs;
    private final RequestCounter baselineRequests;
    private final String payload;
    private final String kmsKeyId;
    /** Counts the calls of the Spring consumers' async clients (one client per run). */
    private final RequestCounter springRequests = new RequestCounter();

    Scenarios(URI sqsEndpoint, EmulatorProcess elasticMq, SqsClient baselineSqs, RequestCounter baselineRequests,
              String payload, String kmsKeyId) {
        this.sqsEndpoint = sqsEndpoint;
        this.elasticMq = elasticMq;
        this.baselineSqs = baselineSqs;
        this.baselineRequests = baselineRequests;
        this.payload = payload;
        this.kmsKeyId = kmsKeyId;
    }

    static String queueName(String prefix, boolean fifo) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + (fifo ? ".fifo" : "");
    }

    /**
     * Deletes a run's queue and every queue named after it (SourceFlow's dead-letter queue, "-dlq" before ".fifo"). ElasticMQ keeps a queue's messages and a FIFO queue's deduplication history in its heap until
     * the queue is deleted: a full run makes hundreds of queues, and without this the emulator ended up collecting
     * garbage at full CPU in the last cases.
     */
    void deleteQueues(String queueName) {
        String namePrefix = queueName.replace(".fifo", "");
        try {
            for (String url : baselineSqs.listQueues(r -> r.queueNamePrefix(namePrefix)).queueUrls()) {
                baselineSqs.deleteQueue(r -> r.queueUrl(url));
            }
        } catch (RuntimeException e) {
            BenchmarkSuite.log("could not delete the queues named %s*: %s", namePrefix, e);
        }
    }

    private void deleteQueueAt(String url) {
        deleteQueues(url.substring(url.lastIndexOf('/') + 1));
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    // ------------------------------------------------------------------------------------------- SourceFlow

    Map<String, String> config(String queue, boolean listener, boolean encrypted) {
        return config(queue, listener, encrypted, MAX_CONCURRENT);
    }

    /** {@code maxConcurrent} 0: the library's default {@code max-concurrent-messages} (10). */
    Map<String, String> config(String queue, boolean listener, boolean encrypted, int maxConcurrent) {
        Map<String, String> config = new HashMap<>();
        config.put("sourceflow.service-name", "bench");
        config.put("sourceflow.aws.endpoint", sqsEndpoint.toString());
        config.put("sourceflow.aws.region", "us-east-1");
        config.put("sourceflow.aws.wait-time", WAIT_SECONDS + "s");
        config.put("sourceflow.aws.shutdown-timeout", "10s");
        if (maxConcurrent > 0) {
            config.put("sourceflow.aws.max-concurrent-messages", Integer.toString(maxConcurrent));
        }
        config.put("sourceflow.routes.commands.BenchCommand", queue);
        config.put("sourceflow.aws.command-listener.enabled", Boolean.toString(listener));
        if (encrypted) {
            config.put("sourceflow.aws.encryption.enabled", "true");
            config.put("sourceflow.aws.encryption.kms-key-id", kmsKeyId);
        }
        // diagnostic: -Dbench.sourceflow.aws.batch-linger=0 sets sourceflow.aws.batch-linger in every deployment
        System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith("bench.sourceflow."))
                .forEach(key -> config.put(key.substring("bench.".length()), System.getProperty(key)));
        return config;
    }

    Deployment sender(String queue, boolean encrypted) {
        return Deployment.start(config(queue, false, encrypted), BenchBeans.BenchHandler.class, BenchBeans.Counting.class);
    }

    Deployment consumer(String queue, boolean encrypted) {
        return Deployment.start(config(queue, true, encrypted), BenchBeans.BenchHandler.class, BenchBeans.Counting.class);
    }

    /** Sends {@code n} commands through the bus from {@link #SENDER_THREADS} threads; FIFO groups stay with one thread. */
    void sendAll(CommandBus bus, int n) {
        Semaphore window = new Semaphore(2_000);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < SENDER_THREADS; t++) {
            int first = t;
            threads.add(start("bench-send-" + t, () -> {
                for (int i = first; i < n; i += SENDER_THREADS) {
                    window.acquireUninterruptibly();
                    bus.sendAsync(new BenchBeans.BenchCommand(entity(i), i, System.nanoTime(), payload)).whenComplete((v, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                        window.release();
                    });
                }
            }));
        }
        joinAll(threads);
        window.acquireUninterruptibly(2_000);
        if (failure.get() != null) {
            throw new IllegalStateException("a send failed", failure.get());
        }
    }

    private static String entity(long i) {
        return "entity-" + (i % GROUPS);
    }

    /** Warms a sender up (provisioning, name resolution, first batch) with one message the consumer handles. */
    private void warmUp(CommandBus bus) throws InterruptedException {
        Sink.Run warm = Sink.begin(1);
        bus.send(new BenchBeans.BenchCommand(entity(0), -1, System.nanoTime(), payload));
        if (!warm.await(60)) {
            throw new IllegalStateException("the warm-up message was not handled within 60 s");
        }
    }

    Result ours(boolean fifo, Mode mode, int n, boolean encrypted) throws InterruptedException {
        String queue = queueName("sf", fifo);
        try {
            return oursOn(queue, fifo, mode, n, encrypted);
        } finally {
            deleteQueues(queue);
        }
    }

    private Result oursOn(String queue, boolean fifo, Mode mode, int n, boolean encrypted) throws InterruptedException {
        RequestCounter requests = BenchBeans.SOURCEFLOW_REQUESTS;
        if (mode == Mode.BACKLOG) {
            try (Deployment sender = sender(queue, encrypted)) {
                requests.reset();
                Sink.begin(0);
                sendAll(sender.select(CommandBus.class), n);
                Sink.Run run = Sink.begin(n);
                try (Deployment consumer = consumer(queue, encrypted)) {
                    long cpu0 = processCpuNanos();
                    long emu0 = elasticMq.cpuNanos();
                    int before = run.handled();
                    await(run, n);
                    long cpu = processCpuNanos() - cpu0;
                    long emu = elasticMq.cpuNanos() - emu0;
                    Result result = result(run, n, requests, cpu, emu, n - before);
                    return result;
                }
            }
        }
        requests.reset(); // KMS calls count from the deployments' start, warm-up included
        try (Deployment consumer = consumer(queue, encrypted); Deployment sender = sender(queue, encrypted)) {
            CommandBus bus = sender.select(CommandBus.class);
            warmUp(bus);
            long kmsGenerate0 = requests.count("GenerateDataKey");
            long kmsDecrypt0 = requests.count("Decrypt");
            requests.reset();
            long cpu0 = processCpuNanos();
            long emu0 = elasticMq.cpuNanos();
            Sink.Run run = Sink.begin(n);
            long start = System.nanoTime();
            sendAll(bus, n);
            await(run, n);
            long cpu = processCpuNanos() - cpu0;
            long emu = elasticMq.cpuNanos() - emu0;
            return result(run, n, requests, cpu, emu, n).ratedFromFirstSend(start, run.lastNanos)
                    .plusKms(kmsGenerate0, kmsDecrypt0);
        }
    }

    private static void await(Sink.Run run, int n) throws InterruptedException {
        long timeout = Math.max(120, n / 100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        while (!run.awaitMillis(100)) {
            Throwable failure = THREAD_FAILURE.getAndSet(null);
            if (failure != null) {
                throw new IllegalStateException("a benchmark thread failed after " + run.handled() + " of " + n + " messages", failure);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        if (run.handled() < n) {
            throw new IllegalStateException("only " + run.handled() + " of " + n + " messages were handled within " + timeout + " s");
        }
    }

    private static Result result(Sink.Run run, int n, RequestCounter requests, long cpuNanos, long emulatorCpuNanos, int measured) {
        return result(run, n, List.of(requests), cpuNanos, emulatorCpuNanos, measured);
    }

    /** With the data-plane calls of several clients (Spring's consumer and the raw sender that fills its queue). */
    private static Result result(Sink.Run run, int n, List<RequestCounter> counters, long cpuNanos, long emulatorCpuNanos,
                                 int measured) {
        double seconds = (run.lastNanos - run.firstNanos.get()) / 1e9;
        double rate = seconds > 0 ? (n - 1) / seconds : Double.NaN;
        Map<String, Long> ops = new HashMap<>();
        long dataPlane = 0;
        for (RequestCounter requests : counters) {
            requests.snapshot().forEach((op, count) -> {
                if (RequestCounter.SQS_DATA_PLANE.contains(op)) {
                    ops.merge(op, count, Long::sum);
                }
            });
            dataPlane += requests.sqsDataPlane();
        }
        RequestCounter first = counters.get(0);
        return new Result(n, rate, dataPlane, ops, cpuNanos / 1e3 / Math.max(1, measured),
                emulatorCpuNanos / 1e3 / Math.max(1, measured), first.count("GenerateDataKey"), first.count("Decrypt"),
                run.sortedLatencies(0), first.meanMillis("ReceiveMessage"));
    }


    private static Result latencyResult(Sink.Run run, int n, RequestCounter requests) {
        return latencyResult(run, n, List.of(requests));
    }

    private static Result latencyResult(Sink.Run run, int n, List<RequestCounter> counters) {
        long[] sorted = run.sortedLatencies(n / 10); // the first 10% are warm-up
        Map<String, Long> ops = new java.util.TreeMap<>();
        long dataPlane = 0;
        for (RequestCounter requests : counters) {
            requests.snapshot().forEach((op, count) -> ops.merge(op, count, Long::sum));
            dataPlane += requests.sqsDataPlane();
        }
        return new Result(n, Double.NaN, dataPlane, ops, Double.NaN, Double.NaN, 0, 0, sorted,
                counters.get(0).meanMillis("ReceiveMessage"));
    }

    // ------------------------------------------------------------------------------------------- baseline

    private String createBaselineQueue(boolean fifo) {
        return createBaselineQueue(fifo, "raw");
    }

    private String createBaselineQueue(boolean fifo, String prefix) {
        String name = queueName(prefix, fifo);
        Map<QueueAttributeName, String> attributes = new HashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, "30");
        if (fifo) {
            attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        return baselineSqs.createQueue(r -> r.queueName(name).attributes(attributes)).queueUrl();
    }

    private String rawBody(long sentAtNanos) {
        // same size as SourceFlow's 1 KB body: the send time, then padding
        String head = sentAtNanos + "|";
        return head + payload.substring(0, Math.max(0, Math.min(payload.length(), bodySize - head.length())));
    }

    private int bodySize = 1024;

    void bodySize(int bytes) {
        this.bodySize = bytes;
    }

    /** {@link #SENDER_THREADS} threads, SendMessageBatch of 10; FIFO groups stay with one thread. */
    private void rawSendAll(String url, boolean fifo, int n) {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < SENDER_THREADS; t++) {
            int first = t;
            threads.add(start("raw-send-" + t, () -> {
                try {
                    List<SendMessageBatchRequestEntry> batch = new ArrayList<>(10);
                    for (int i = first; i < n; i += SENDER_THREADS) {
                        batch.add(rawEntry(batch.size(), i, fifo, System.nanoTime()));
                        if (batch.size() == 10) {
                            sendBatch(url, batch);
                            batch = new ArrayList<>(10);
                        }
                    }
                    if (!batch.isEmpty()) {
                        sendBatch(url, batch);
                    }
                } catch (Throwable e) { // a sender thread's boundary: the run fails with whatever ended it
                    failure.compareAndSet(null, e);
                }
            }));
        }
        joinAll(threads);
        if (failure.get() != null) {
            throw new IllegalStateException("a baseline send failed", failure.get());
        }
    }

    private SendMessageBatchRequestEntry rawEntry(int index, long i, boolean fifo, long sentAt) {
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder().id(Integer.toString(index))
                .messageBody(rawBody(sentAt));
        if (fifo) {
            entry.messageGroupId(entity(i)).messageDeduplicationId(UUID.randomUUID().toString());
        }
        return entry.build();
    }

    private void sendBatch(String url, List<SendMessageBatchRequestEntry> batch) {
        var response = baselineSqs.sendMessageBatch(r -> r.queueUrl(url).entries(batch));
        if (!response.failed().isEmpty()) {
            throw new IllegalStateException("baseline batch entries failed: " + response.failed());
        }
    }


    /** {@code pollers} threads, each: ReceiveMessage (10, long poll) → handle each in order → DeleteMessageBatch. */
    private List<Thread> rawConsumers(String url, AtomicBoolean stop, int pollers) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < pollers; t++) {
            threads.add(start("raw-poll-" + t, () -> {
                while (!stop.get()) {
                    List<Message> messages = baselineSqs.receiveMessage(r -> {
                        r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(WAIT_SECONDS);
                        if (BASELINE_ALL_ATTRIBUTES) {
                            r.messageAttributeNames("All").messageSystemAttributeNames(
                                    software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                    software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.SENT_TIMESTAMP,
                                    software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID);
                        }
                    }).messages();
                    if (messages.isEmpty()) {
                        continue;
                    }
                    List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>(messages.size());
                    for (Message message : messages) {
                        String body = message.body();
                        Sink.handled(Long.parseLong(body, 0, body.indexOf('|'), 10));
                        deletes.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(deletes.size()))
                                .receiptHandle(message.receiptHandle()).build());
                    }
                    baselineSqs.deleteMessageBatch(r -> r.queueUrl(url).entries(deletes));
                }
            }));
        }
        return threads;
    }


    /** The raw loop with {@code pollers} receive-handle-delete threads. */
    Result baseline(boolean fifo, Mode mode, int n, int pollers) throws InterruptedException {
        pollers = BASELINE_POLLERS > 0 ? BASELINE_POLLERS : pollers;
        String url = createBaselineQueue(fifo);
        AtomicBoolean stop = new AtomicBoolean();
        baselineRequests.reset();
        List<Thread> consumers = List.of();
        try {
            if (mode == Mode.BACKLOG) {
                Sink.begin(0);
                rawSendAll(url, fifo, n);
                Sink.Run run = Sink.begin(n);
                long cpu0 = processCpuNanos();
                long emu0 = elasticMq.cpuNanos();
                consumers = rawConsumers(url, stop, pollers);
                await(run, n);
                return result(run, n, baselineRequests, processCpuNanos() - cpu0, elasticMq.cpuNanos() - emu0, n);
            }
            consumers = rawConsumers(url, stop, pollers);
            rawWarmUp(url, fifo);
            long cpu0 = processCpuNanos();
            long emu0 = elasticMq.cpuNanos();
            Sink.Run run = Sink.begin(n);
            long start = System.nanoTime();
            rawSendAll(url, fifo, n);
            await(run, n);
            return result(run, n, baselineRequests, processCpuNanos() - cpu0, elasticMq.cpuNanos() - emu0, n)
                    .ratedFromFirstSend(start, run.lastNanos);
        } finally {
            stop.set(true);
            joinAll(consumers);
            deleteQueueAt(url);
        }
    }


    /** Paced raw sends, consumed by the raw loop with {@code pollers} threads. */
    Result baselinePaced(double rate, int seconds, int pollers) throws InterruptedException {
        String url = createBaselineQueue(false);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> consumers = rawConsumers(url, stop, pollers);
        try {
            rawWarmUp(url, false);
            baselineRequests.reset();
            Sink.Run run = rawPacedSends(url, rate, seconds);
            int n = run.expected;
            await(run, n);
            return latencyResult(run, n, List.of(baselineRequests));
        } finally {
            stop.set(true);
            joinAll(consumers);
            deleteQueueAt(url);
        }
    }

    /** Paced raw sends, consumed by Spring's listener container. */
    Result springPaced(double rate, int seconds, SpringConsumer.Config config, int maxConcurrent) throws InterruptedException {
        String url = createBaselineQueue(false, "spring-lat");
        try {
            return springPacedOn(url, rate, seconds, config, maxConcurrent);
        } finally {
            deleteQueueAt(url);
        }
    }

    private Result springPacedOn(String url, double rate, int seconds, SpringConsumer.Config config, int maxConcurrent)
            throws InterruptedException {
        String name = url.substring(url.lastIndexOf('/') + 1);
        try (SpringConsumer consumer = SpringConsumer.start(sqsEndpoint, springRequests, name, config, maxConcurrent,
                java.time.Duration.ofSeconds(WAIT_SECONDS), waker(url, false, maxConcurrent))) {
            rawWarmUp(url, false);
            baselineRequests.reset();
            springRequests.reset();
            Sink.Run run = rawPacedSends(url, rate, seconds);
            int n = run.expected;
            await(run, n);
            return latencyResult(run, n, List.of(springRequests, baselineRequests));
        }
    }

    /** Sends {@code rate × seconds} messages, each at its scheduled time (whatever is due goes in one batch). */
    private Sink.Run rawPacedSends(String url, double rate, int seconds) {
        int n = (int) (rate * seconds);
        Sink.Run run = Sink.begin(n);
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        int next = 0;
        while (next < n) {
            long now = System.nanoTime();
            int due = (int) Math.min(n, (now - start) / interval + 1);
            if (due <= next) {
                LockSupport.parkNanos(start + next * interval - now);
                continue;
            }
            List<SendMessageBatchRequestEntry> batch = new ArrayList<>(10);
            while (next < due && batch.size() < 10) {
                batch.add(rawEntry(batch.size(), next, false, start + next * interval));
                next++;
            }
            sendBatch(url, batch);
        }
        return run;
    }

    /** One raw message through whatever consumes {@code url}, awaited: the consumer is polling afterwards. */
    private void rawWarmUp(String url, boolean fifo) throws InterruptedException {
        Sink.Run warm = Sink.begin(1);
        sendBatch(url, List.of(rawEntry(0, 0, fifo, System.nanoTime())));
        if (!warm.await(60)) {
            throw new IllegalStateException("the warm-up message was not handled within 60 s");
        }
    }

    // ------------------------------------------------------------------------------------------- Spring Cloud AWS

    /**
     * One run of Spring Cloud AWS's listener container on a fresh queue, filled (backlog) or fed (streaming) by the
     * raw sender; requests per message count the container's calls and the raw sender's.
     */
    Result spring(boolean fifo, Mode mode, int n, SpringConsumer.Config config, int maxConcurrent) throws InterruptedException {
        String url = createBaselineQueue(fifo, "spring");
        try {
            return springOn(url, fifo, mode, n, config, maxConcurrent);
        } finally {
            deleteQueueAt(url);
        }
    }

    private Result springOn(String url, boolean fifo, Mode mode, int n, SpringConsumer.Config config, int maxConcurrent)
            throws InterruptedException {
        String name = url.substring(url.lastIndexOf('/') + 1);
        java.time.Duration wait = java.time.Duration.ofSeconds(WAIT_SECONDS);
        if (mode == Mode.BACKLOG) {
            Sink.begin(0);
            baselineRequests.reset();
            springRequests.reset();
            rawSendAll(url, fifo, n);
            Sink.Run run = Sink.begin(n);
            long cpu0 = processCpuNanos();
            long emu0 = elasticMq.cpuNanos();
            try (SpringConsumer consumer = SpringConsumer.start(sqsEndpoint, springRequests, name, config, maxConcurrent, wait, waker(url, fifo, maxConcurrent))) {
                await(run, n);
                return result(run, n, List.of(springRequests, baselineRequests), processCpuNanos() - cpu0,
                        elasticMq.cpuNanos() - emu0, n);
            }
        }
        try (SpringConsumer consumer = SpringConsumer.start(sqsEndpoint, springRequests, name, config, maxConcurrent, wait, waker(url, fifo, maxConcurrent))) {
            rawWarmUp(url, fifo);
            baselineRequests.reset();
            springRequests.reset();
            long cpu0 = processCpuNanos();
            long emu0 = elasticMq.cpuNanos();
            Sink.Run run = Sink.begin(n);
            long start = System.nanoTime();
            rawSendAll(url, fifo, n);
            await(run, n);
            return result(run, n, List.of(springRequests, baselineRequests), processCpuNanos() - cpu0,
                    elasticMq.cpuNanos() - emu0, n).ratedFromFirstSend(start, run.lastNanos);
        }
    }

    /** Sends enough messages to return every long poll a stopping Spring container has outstanding (one per 10 slots). */
    private Runnable waker(String url, boolean fifo, int maxConcurrent) {
        return () -> {
            for (int sent = 0; sent < Math.max(10, maxConcurrent); sent += 10) {
                List<SendMessageBatchRequestEntry> batch = new ArrayList<>(10);
                for (int i = 0; i < 10; i++) {
                    batch.add(rawEntry(i, sent + i, fifo, System.nanoTime()));
                }
                sendBatch(url, batch);
            }
        };
    }

    // ------------------------------------------------------------------------------------------- SourceFlow, kept deployments

    /**
     * One SourceFlow sender and consumer deployment for all runs of a case (warm-up and measured), on one queue, so
     * that compiling fresh Weld deployments is not measured. Backlog runs pause the consumer with the library's
     * {@link ListenerControl} while the queue fills and resume it to measure. Every run starts on an empty queue.
     */
    final class OursCase implements AutoCloseable {

        private final Mode mode;
        private final Deployment consumer;
        private final Deployment sender;
        private final CommandBus bus;
        private final ListenerControl listeners;
        private final String queue;
        private final String queueUrl;

        private OursCase(boolean fifo, Mode mode, int maxConcurrent) throws InterruptedException {
            this.mode = mode;
            String name = queueName("sf", fifo);
            Deployment c = Deployment.start(config(name, true, false, maxConcurrent), BenchBeans.BenchHandler.class,
                    BenchBeans.Counting.class);
            Deployment s = null;
            try {
                s = Deployment.start(config(name, false, false, maxConcurrent), BenchBeans.BenchHandler.class,
                        BenchBeans.Counting.class);
                bus = s.select(CommandBus.class);
                listeners = c.select(ListenerControl.class);
                warmUp(bus); // provisioning, name resolution, the first batch
                queue = listeners.queues().get(0);
                queueUrl = baselineSqs.getQueueUrl(r -> r.queueName(name)).queueUrl();
            } catch (RuntimeException | InterruptedException | Error e) {
                try {
                    if (s != null) {
                        s.close();
                    }
                } finally {
                    c.close();
                }
                throw e;
            }
            consumer = c;
            sender = s;
        }

        Result run(int n) throws InterruptedException {
            RequestCounter requests = BenchBeans.SOURCEFLOW_REQUESTS;
            if (mode == Mode.BACKLOG) {
                listeners.pauseAll();
                if (!listeners.awaitPaused(queue, java.time.Duration.ofSeconds(WAIT_SECONDS * 5L))) {
                    throw new IllegalStateException("the consumer did not pause within " + WAIT_SECONDS * 5 + " s");
                }
                awaitEmpty(queueUrl);
                requests.reset();
                Sink.begin(0);
                sendAll(bus, n);
                Sink.Run run = Sink.begin(n);
                long cpu0 = processCpuNanos();
                long emu0 = elasticMq.cpuNanos();
                listeners.resumeAll();
                await(run, n);
                Result result = result(run, n, requests, processCpuNanos() - cpu0, elasticMq.cpuNanos() - emu0, n);
                listeners.pauseAll(); // no idle polling while the other consumers run
                return result;
            }
            awaitEmpty(queueUrl);
            listeners.resumeAll();
            requests.reset();
            long cpu0 = processCpuNanos();
            long emu0 = elasticMq.cpuNanos();
            Sink.Run run = Sink.begin(n);
            long start = System.nanoTime();
            sendAll(bus, n);
            await(run, n);
            Result r = result(run, n, requests, processCpuNanos() - cpu0, elasticMq.cpuNanos() - emu0, n);
            listeners.pauseAll(); // no idle polling while the other consumers run
            return r.ratedFromFirstSend(start, run.lastNanos);
        }

        void resume() {
            listeners.resumeAll();
        }

        void pause() {
            listeners.pauseAll();
        }

        void awaitEmptyQueue() throws InterruptedException {
            awaitEmpty(queueUrl);
        }

        @Override
        public void close() {
            try {
                sender.close();
            } finally {
                try {
                    consumer.close();
                } finally {
                    deleteQueueAt(queueUrl);
                }
            }
        }
    }

    /** SourceFlow's deployments for one case ({@code maxConcurrent} 0: the library's default). */
    OursCase oursCase(boolean fifo, Mode mode, int maxConcurrent) throws InterruptedException {
        return new OursCase(fifo, mode, maxConcurrent);
    }

    /**
     * Waits until a queue holds nothing: no visible, in-flight (received, not yet deleted) or delayed message, so the
     * previous run's last deletes are done before the next run counts requests.
     */
    private void awaitEmpty(String url) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Map<QueueAttributeName, String> attributes = baselineSqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            long left = attributes.values().stream().mapToLong(Long::parseLong).sum();
            if (left == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("queue " + url + " still holds " + attributes + " after 60 s");
            }
            Thread.sleep(20);
        }
    }

    /** Paced sends at {@code rate} per second through a case's kept deployments (streaming, standard queue). */
    Result oursPaced(OursCase c, double rate, int seconds) throws InterruptedException {
        c.awaitEmptyQueue();
        {
            c.resume();
            BenchBeans.SOURCEFLOW_REQUESTS.reset();
            int n = (int) (rate * seconds);
            Sink.Run run = Sink.begin(n);
            long interval = (long) (1e9 / rate);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            for (int i = 0; i < n; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                c.bus.sendAsync(new BenchBeans.BenchCommand(entity(i), i, due, payload));
            }
            await(run, n);
            Result result = latencyResult(run, n, BenchBeans.SOURCEFLOW_REQUESTS);
            c.pause();
            return result;
        }
    }

    // ------------------------------------------------------------------------------------------- memory

    /** Heap after GC while a backlog of {@code n} drains with {@link #MAX_CONCURRENT} handlers. */
    record MemoryResult(int backlog, long heapBeforeConsumer, List<long[]> samples, double rate) {
        long maxAfterGc() {
            return samples.stream().mapToLong(s -> s[1]).max().orElse(0);
        }

        long minAfterGc() {
            return samples.stream().mapToLong(s -> s[1]).min().orElse(0);
        }
    }

    MemoryResult memory(int n) throws InterruptedException {
        String queue = queueName("sf-mem", false);
        try {
            return memoryOn(queue, n);
        } finally {
            deleteQueues(queue);
        }
    }

    private MemoryResult memoryOn(String queue, int n) throws InterruptedException {
        try (Deployment sender = sender(queue, false)) {
            Sink.begin(0);
            sendAll(sender.select(CommandBus.class), n);
        }
        long before = heapAfterGc();
        Sink.Run run = Sink.begin(n);
        List<long[]> samples = new ArrayList<>();
        try (Deployment consumer = consumer(queue, false)) {
            int[] checkpoints = {n / 10, 3 * n / 10, n / 2, 7 * n / 10, 9 * n / 10};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, n / 100));
            for (int checkpoint : checkpoints) {
                while (run.handled() < checkpoint) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + run.handled() + " of " + n + " messages of the memory "
                                + "case were handled within " + Math.max(120, n / 100) + " s");
                    }
                    Thread.sleep(5);
                }
                int handled = run.handled();
                samples.add(new long[]{n - handled, heapAfterGc()});
            }
            await(run, n);
        }
        double rate = (n - 1) / ((run.lastNanos - run.firstNanos.get()) / 1e9);
        return new MemoryResult(n, before, samples, rate);
    }

    static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The first failure of a thread started by {@link #start}; a run awaiting its messages fails with it. */
    static final AtomicReference<Throwable> THREAD_FAILURE = new AtomicReference<>();

    static Thread start(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                THREAD_FAILURE.compareAndSet(null, e);
                System.err.println("[bench] thread " + Thread.currentThread().getName() + " failed: " + e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static void joinAll(List<Thread> threads) {
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
