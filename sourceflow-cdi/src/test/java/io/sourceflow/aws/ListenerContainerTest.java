package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.RejectMessage;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.TcpProxy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The listener container's guarantees, measured by peaks, orders and counts (never by wall-clock speed). */
@ExtendWith(ElasticMqExtension.class)
class ListenerContainerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Work(int n) implements Command {}
    public record Step(@EntityKey String group, int seq) implements Command {}
    public record Slow(String id) implements Command {}
    public record Doomed(int n) implements Command {}
    public record Refused(String id) implements Command {}
    public record Blocking(@EntityKey String group, int seq) implements Command {}

    /** What handlers saw, shared by all handler beans of a deployment. */
    @Singleton
    public static class Probe {
        final AtomicInteger current = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final List<Object> handled = new CopyOnWriteArrayList<>();
        final Map<Object, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final List<Long> attemptTimes = new CopyOnWriteArrayList<>();
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();

        void enter() {
            peak.accumulateAndGet(current.incrementAndGet(), Math::max);
        }

        void leave() {
            current.decrementAndGet();
        }
    }

    @ApplicationScoped
    public static class Handlers {
        @Inject Probe probe;

        void on(@Handles Work work) throws InterruptedException {
            probe.enter();
            try {
                Thread.sleep(100);
                probe.handled.add(work);
            } finally {
                probe.leave();
            }
        }

        void on(@Handles Step step) {
            int attempt = probe.attempts.computeIfAbsent(step, s -> new AtomicInteger()).incrementAndGet();
            if (step.group().equals("B") && step.seq() == 10 && attempt <= 2) {
                throw new IllegalStateException("transient failure " + attempt);
            }
            probe.handled.add(step);
        }

        void on(@Handles Slow slow, MessageContext context) throws InterruptedException {
            probe.attempts.computeIfAbsent(slow.id(), s -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(6_000);
            probe.handled.add(slow);
        }

        void on(@Handles Doomed doomed) {
            if (doomed.n() == 0) {
                probe.attemptTimes.add(System.nanoTime());
                throw new IllegalStateException("always fails");
            }
            probe.handled.add(doomed);
        }

        void on(@Handles Refused refused) {
            probe.attempts.computeIfAbsent(refused.id(), s -> new AtomicInteger()).incrementAndGet();
            throw new RejectMessage("order " + refused.id() + " belongs to a closed account");
        }

        void on(@Handles Blocking blocking) throws InterruptedException {
            probe.started.incrementAndGet();
            if (!probe.gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate never opened");
            }
            probe.handled.add(blocking);
        }
    }

    private static Map<String, String> config(URI endpoint, String type, String queue, String... more) {
        Map<String, String> config = AwsTestConfig.emulator(endpoint);
        config.put("sourceflow.routes.commands." + type, queue);
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    private static CdiContainer deploy(Map<String, String> config) {
        return CdiContainer.start(config, Handlers.class, Probe.class);
    }

    private static void sendAll(CdiContainer sender, List<? extends Command> commands) throws Exception {
        CommandBus bus = sender.select(CommandBus.class);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (Command command : commands) {
            sends.add(bus.sendAsync(command).toCompletableFuture());
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** Java SE has no managed executor: SourceFlow's own is bounded, and work beyond its threads waits its turn. */
    @Test
    void inJavaSeTheExecutorIsBoundedAndQueuesWhatItCannotRunYet(ElasticMqServer elasticMq) throws Exception {
        String queue = "bounded-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(config(elasticMq.endpoint(), "Work", queue, "sourceflow.aws.max-concurrent-messages", "3"))) {
            java.util.concurrent.ExecutorService executor = service.select(SourceFlowExecutors.class).executor();
            int bound = 3 + 4 + 16; // 3 handler slots of the one listened queue, 4 for the one destination, 16 more
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    tasks.add(executor.submit(() -> {
                        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                        release.await();
                        running.decrementAndGet();
                        return null;
                    }));
                }
                await().atMost(WAIT).until(() -> running.get() == bound);
            } finally {
                release.countDown();
            }
            for (java.util.concurrent.Future<?> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
            assertThat(peak.get()).as("threads running at once").isEqualTo(bound);
        }
    }

    @Test
    void concurrencyNeverExceedsTheLimitAndEveryMessageFinishes(ElasticMqServer elasticMq) throws Exception {
        String queue = "work-" + AwsTestConfig.unique();
        try (CdiContainer sender = deploy(config(elasticMq.endpoint(), "Work", queue, "sourceflow.aws.command-listener.enabled", "false"))) {
            List<Work> work = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                work.add(new Work(i));
            }
            sendAll(sender, work);
        }
        try (CdiContainer consumer = deploy(config(elasticMq.endpoint(), "Work", queue, "sourceflow.aws.max-concurrent-messages", "8"))) {
            Probe probe = consumer.select(Probe.class);
            await().atMost(WAIT).until(() -> probe.handled.size() >= 200);
            assertThat(probe.peak.get()).as("peak concurrency").isLessThanOrEqualTo(8).isGreaterThanOrEqualTo(5);
            assertThat(probe.handled).hasSize(200).doesNotHaveDuplicates();
        }
    }

    @Test
    void fifoGroupsKeepTheirOrderAcrossRetriesWithoutHoldingUpOtherGroups(ElasticMqServer elasticMq) throws Exception {
        String queue = "steps-" + AwsTestConfig.unique() + ".fifo";
        Map<String, String> config = config(elasticMq.endpoint(), "Step", queue,
                "sourceflow.aws.max-concurrent-messages", "10", "sourceflow.aws.retry.initial-delay", "2s");
        try (CdiContainer sender = deploy(withListenerOff(config))) {
            List<Step> steps = new ArrayList<>();
            for (int seq = 1; seq <= 50; seq++) {
                for (String group : List.of("A", "B", "C")) {
                    steps.add(new Step(group, seq));
                }
            }
            sendAll(sender, steps);
        }
        try (CdiContainer consumer = deploy(config)) {
            Probe probe = consumer.select(Probe.class);
            await().atMost(WAIT).until(() -> probe.handled.size() >= 150);
            for (String group : List.of("A", "B", "C")) {
                List<Integer> order = probe.handled.stream().map(s -> (Step) s).filter(s -> s.group().equals(group)).map(Step::seq).toList();
                assertThat(order).as("handled order of group " + group).hasSize(50).isSorted().doesNotHaveDuplicates();
            }
            int b10 = probe.handled.indexOf(new Step("B", 10));
            long othersBefore = probe.handled.subList(0, b10).stream().map(s -> (Step) s).filter(s -> !s.group().equals("B")).count();
            assertThat(othersBefore).as("groups A and C kept flowing while B waited for its retry").isGreaterThanOrEqualTo(60);
            assertThat(probe.attempts.get(new Step("B", 10))).hasValue(3);
        }
    }

    @Test
    void aHandlerOutlivingTheVisibilityTimeoutIsHandledOnceAndDeletedOnce(ElasticMqServer elasticMq) throws Exception {
        String queue = "slow-" + AwsTestConfig.unique();
        Map<String, String> config = config(elasticMq.endpoint(), "Slow", queue, "sourceflow.aws.visibility-timeout", "2s");
        try (CdiContainer consumer = deploy(config);
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            consumer.select(CommandBus.class).send(new Slow("s-1"));
            Probe probe = consumer.select(Probe.class);
            await().atMost(WAIT).until(() -> probe.handled.size() == 1);
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            await().atMost(WAIT).untilAsserted(() -> assertThat(approximate(sqs, url)).isZero());
            assertThat(probe.attempts.get("s-1")).as("never redelivered while running").hasValue(1);
        }
    }

    @Test
    void aMessageThatAlwaysFailsEndsInTheDeadLetterQueueAfterGrowingDelays(ElasticMqServer elasticMq) throws Exception {
        String queue = "doomed-" + AwsTestConfig.unique();
        Map<String, String> config = config(elasticMq.endpoint(), "Doomed", queue,
                "sourceflow.aws.max-receive-count", "4", "sourceflow.aws.retry.initial-delay", "2s");
        try (CdiContainer consumer = deploy(config);
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            consumer.select(CommandBus.class).send(new Doomed(0));
            for (int i = 1; i <= 20; i++) {
                consumer.select(CommandBus.class).send(new Doomed(i));
            }
            String dlq = sqs.getQueueUrl(r -> r.queueName(queue + "-dlq")).queueUrl();
            List<Message> dead = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                dead.addAll(sqs.receiveMessage(r -> r.queueUrl(dlq).waitTimeSeconds(1)).messages());
                return !dead.isEmpty();
            });
            Probe probe = consumer.select(Probe.class);
            assertThat(dead.get(0).body()).contains("\"n\":0");
            assertThat(probe.attemptTimes).hasSize(4);
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < probe.attemptTimes.size(); i++) {
                gaps.add(probe.attemptTimes.get(i) - probe.attemptTimes.get(i - 1));
            }
            // delays are whole seconds with jitter (between half and all of 2 s, 4 s, 8 s): the last is clearly longer
            assertThat(gaps.get(2)).as("retry delays grow: " + gaps).isGreaterThan(gaps.get(0) * 3 / 2);
            assertThat(probe.handled).as("other messages kept flowing").hasSize(20);
        }
    }

    @Test
    void aRejectedMessageGoesToTheDeadLetterQueueOnItsFirstReceive(ElasticMqServer elasticMq) {
        String queue = "refused-" + AwsTestConfig.unique();
        try (CdiContainer consumer = deploy(config(elasticMq.endpoint(), "Refused", queue));
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            consumer.select(CommandBus.class).send(new Refused("r-1"));
            DeadLetterQueues deadLetters = consumer.select(DeadLetterQueues.class);
            List<DeadLetter> dead = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                dead.addAll(deadLetters.peek(queue, 10));
                return !dead.isEmpty();
            });
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).contains("Rejected");
            assertThat(dead.get(0).error().orElseThrow()).contains(RejectMessage.class.getName()).contains("closed account");
            assertThat(dead.get(0).sourceQueue()).contains(queue);
            assertThat(dead.get(0).messageId()).isPresent();
            assertThat(consumer.select(Probe.class).attempts.get("r-1")).hasValue(1);
            assertThat(deadLetters.peek(queue, 10)).as("peeking leaves the message in place").hasSize(1);
        }
    }

    @Test
    void stoppingFinishesRunningHandlersAndReleasesMessagesNotStarted(ElasticMqServer elasticMq) throws Exception {
        String queue = "blocking-" + AwsTestConfig.unique() + ".fifo";
        Map<String, String> config = config(elasticMq.endpoint(), "Blocking", queue,
                "sourceflow.aws.max-concurrent-messages", "10", "sourceflow.aws.visibility-timeout", "60s");
        try (CdiContainer sender = deploy(withListenerOff(config))) {
            List<Blocking> messages = new ArrayList<>();
            for (int seq = 1; seq <= 2; seq++) {
                for (int group = 1; group <= 5; group++) {
                    messages.add(new Blocking("g" + group, seq));
                }
            }
            sendAll(sender, messages);
        }
        CdiContainer consumer = deploy(config);
        Probe probe = consumer.select(Probe.class);
        await().atMost(WAIT).until(() -> probe.started.get() == 5);
        // 5 handlers run (the first of each group); the second of each group was received but has not started
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(consumer::close);
        Thread.sleep(300); // let the stop begin while the handlers are still blocked
        probe.gate.countDown();
        stopping.get(60, TimeUnit.SECONDS);
        assertThat(probe.handled).hasSize(5).allMatch(b -> ((Blocking) b).seq() == 1);

        try (CdiContainer next = deploy(config)) {
            Probe nextProbe = next.select(Probe.class);
            nextProbe.gate.countDown();
            // released at once: well within the 60 s visibility timeout
            await().atMost(Duration.ofSeconds(20)).until(() -> nextProbe.handled.size() >= 5);
            assertThat(nextProbe.handled).hasSize(5).allMatch(b -> ((Blocking) b).seq() == 2);
        }
    }

    @Test
    void thePollerRecoversFromAnOutageWithoutLosingMessages(ElasticMqServer elasticMq) throws Exception {
        String queue = "outage-" + AwsTestConfig.unique();
        try (TcpProxy proxy = TcpProxy.to(elasticMq.endpoint());
             // a receive whose answer the outage cut off hides its messages for a visibility timeout: keep it short
             CdiContainer consumer = deploy(config(proxy.endpoint(), "Work", queue, "sourceflow.aws.visibility-timeout", "5s"));
             CdiContainer sender = deploy(config(elasticMq.endpoint(), "Work", queue, "sourceflow.aws.command-listener.enabled", "false",
                     "sourceflow.aws.visibility-timeout", "5s"))) {
            Probe probe = consumer.select(Probe.class);
            sender.select(CommandBus.class).send(new Work(1));
            await().atMost(WAIT).until(() -> probe.handled.size() == 1);
            try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
                String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
                await().atMost(WAIT).until(() -> approximate(sqs, url) == 0); // its delete went through
            }

            proxy.cutOff();
            List<Work> during = new ArrayList<>();
            for (int i = 2; i <= 11; i++) {
                during.add(new Work(i));
            }
            sendAll(sender, during);
            Thread.sleep(3_000); // the outage: the poller fails and backs off meanwhile
            assertThat(probe.handled).hasSize(1);
            proxy.restore();

            await().atMost(WAIT).until(() -> probe.handled.size() >= 11);
            assertThat(probe.handled).hasSize(11).doesNotHaveDuplicates();
        }
    }

    @Test
    void redriveReturnsDeadLettersToTheirQueueWhereTheyAreHandled(ElasticMqServer elasticMq) throws Exception {
        String queue = "redrive-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            try (CdiContainer consumer = deploy(config(elasticMq.endpoint(), "Refused", queue))) {
                consumer.select(CommandBus.class).send(new Refused("r-1"));
                consumer.select(CommandBus.class).send(new Refused("r-2"));
                DeadLetterQueues deadLetters = consumer.select(DeadLetterQueues.class);
                await().atMost(WAIT).until(() -> deadLetters.approximateCount(queue) == 2);
            }
            // the handler is fixed: this deployment handles the same type on the same queue successfully
            try (CdiContainer fixed = CdiContainer.start(config(elasticMq.endpoint(), "Refused", queue), FixedHandler.class, Probe.class)) {
                RedriveResult result = fixed.select(DeadLetterQueues.class).redrive(queue);
                Probe probe = fixed.select(Probe.class);
                await().atMost(WAIT).until(() -> probe.handled.size() >= 2);
                assertThat(probe.handled).containsExactlyInAnyOrder(new Refused("r-1"), new Refused("r-2"));
                assertThat(result.serverSide() || result.moved() == 2).isTrue();
                assertThat(fixed.select(DeadLetterQueues.class).approximateCount(queue)).isZero();
            }
        }
    }

    @ApplicationScoped
    public static class FixedHandler {
        @Inject Probe probe;

        void on(@Handles Refused refused) {
            probe.handled.add(refused);
        }
    }

    @Test
    void listenersCanBePausedAndResumed(ElasticMqServer elasticMq) throws Exception {
        String queue = "paused-" + AwsTestConfig.unique();
        try (CdiContainer consumer = deploy(config(elasticMq.endpoint(), "Work", queue))) {
            ListenerControl control = consumer.select(ListenerControl.class);
            assertThat(control.queues()).containsExactly(queue);
            assertThatThrownBy(() -> control.awaitPaused(queue, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not paused");
            control.pause(queue);
            assertThat(control.isPaused(queue)).isTrue();
            assertThat(control.awaitPaused(queue, Duration.ofSeconds(30))).as("the receive in progress has returned").isTrue();
            consumer.select(CommandBus.class).send(new Work(1));
            Probe probe = consumer.select(Probe.class);
            Thread.sleep(2_000); // paused: nothing may be handled
            assertThat(probe.handled).isEmpty();
            control.resume(queue);
            await().atMost(WAIT).until(() -> probe.handled.size() == 1);
        }
    }

    private static Map<String, String> withListenerOff(Map<String, String> config) {
        Map<String, String> copy = new java.util.HashMap<>(config);
        copy.put("sourceflow.aws.command-listener.enabled", "false");
        return copy;
    }

    private static int approximate(SqsClient sqs, String url) {
        Map<String, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
        return Integer.parseInt(attributes.get("ApproximateNumberOfMessages")) + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }

    @SuppressWarnings("unused")
    private static Set<String> ids(List<Message> messages) {
        return Set.copyOf(messages.stream().map(Message::messageId).toList());
    }
}
