package io.sourceflow.bench;

import io.awspring.cloud.sqs.listener.SqsMessageListenerContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The peer column: Spring Cloud AWS 3.4's {@link SqsMessageListenerContainer}, built programmatically (no Spring
 * Boot, no application context), listening on one queue through an {@link SqsAsyncClient} on the SDK's default
 * async HTTP client (Netty), as a Spring user gets it. Its listener does what the baseline's handler does: note
 * the message in {@link Sink} with the send time at the head of the body. One instance per run: {@link #close()}
 * stops the container and the client and checks that none of their threads survived.
 *
 * <p>Everything it creates runs in its own {@link ThreadGroup} (the SDK's, Netty's and Spring's thread factories
 * put new threads into their creator's group), which is how {@link #close()} finds survivors.
 */
final class SpringConsumer implements AutoCloseable {

    /** The two configurations of the peer column. */
    enum Config {
        /** The container's defaults: maxConcurrentMessages 10, maxMessagesPerPoll 10, pollTimeout 10 s, all attributes. */
        DEFAULTS("Spring defaults"),
        /** maxConcurrentMessages = ours, maxMessagesPerPoll 10, pollTimeout = our wait time. */
        LIKE_OURS("Spring, concurrency like ours");

        final String label;

        Config(String label) {
            this.label = label;
        }
    }

    private final ThreadGroup group;
    private final SqsAsyncClient client;
    private final SqsMessageListenerContainer<Object> container;
    private final Runnable wake;

    private SpringConsumer(ThreadGroup group, SqsAsyncClient client, SqsMessageListenerContainer<Object> container,
                           Runnable wake) {
        this.group = group;
        this.client = client;
        this.container = container;
        this.wake = wake;
    }

    /**
     * Builds and starts a container on {@code queueName} (a name; a {@code .fifo} name gets the container's FIFO
     * components). Fails if it does not start. {@code wake} sends a few messages to the queue: {@link #close()} calls
     * it while the container stops, so that its long polls on the drained queue return at once instead of after
     * the poll timeout (10 s by default), which {@code stop()} waits for.
     */
    static SpringConsumer start(URI endpoint, RequestCounter requests, String queueName, Config config, int maxConcurrent,
                                Duration waitTime, Runnable wake) {
        ThreadGroup group = new ThreadGroup("spring-consumer-" + UUID.randomUUID().toString().substring(0, 8));
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread starter = new Thread(group, () -> {
            SqsAsyncClient client = null;
            try {
                // the SDK's default async HTTP client (Netty, netty-nio-client on the class path), counted like the others
                client = SqsAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                        .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(requests).build())
                        .build();
                SqsMessageListenerContainer<Object> container = SqsMessageListenerContainer.builder()
                        .id(group.getName())
                        .sqsAsyncClient(client)
                        .queueNames(queueName)
                        .messageListener(message -> {
                            Object payload = message.getPayload();
                            String body = payload instanceof String s ? s : String.valueOf(payload);
                            Sink.handled(Long.parseLong(body, 0, body.indexOf('|'), 10));
                        })
                        .configure(options -> {
                            if (config == Config.LIKE_OURS) {
                                options.maxConcurrentMessages(maxConcurrent).maxMessagesPerPoll(10).pollTimeout(waitTime);
                            }
                        })
                        .build();
                container.start();
                if (!container.isRunning()) {
                    throw new IllegalStateException("the Spring container did not start");
                }
                outcome.set(new SpringConsumer(group, client, container, wake));
            } catch (Throwable e) {
                outcome.set(e);
                if (client != null) {
                    try {
                        client.close();
                    } catch (Throwable suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
        }, group.getName() + "-start");
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Object result = outcome.get();
        if (result instanceof SpringConsumer consumer) {
            return consumer;
        }
        throw new IllegalStateException("Spring Cloud AWS's listener container failed to start on " + queueName, (Throwable) result);
    }

    /** Threads (named) that Spring, the SDK or Netty started for this consumer and that are still alive. */
    List<String> liveThreads() {
        Thread[] threads = new Thread[group.activeCount() + 16];
        int n = group.enumerate(threads, true);
        List<String> names = new ArrayList<>();
        for (Thread thread : Arrays.copyOf(threads, n)) {
            // the JDK's common pool creates its workers in whichever group asks first; they are the JVM's, not Spring's
            if (thread.isAlive() && !thread.getName().startsWith("ForkJoinPool.commonPool")) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    /**
     * Stops the container (waiting for its in-flight work, as its {@code stop()} does with the default shutdown
     * timeout) and the client, then checks that none of their threads are left. Spring's {@code stop()} waits for its
     * outstanding long polls; the queue is empty after a run, so wake messages are sent until the stop returned.
     * (A shorter {@code listenerShutdownTimeout} would cancel those polls instead, but in 3.4.2 that cancelling
     * throws a ConcurrentModificationException out of {@code stop()}.)
     */
    @Override
    public void close() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread stopper = new Thread(() -> {
            try {
                container.stop();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, group.getName() + "-stop");
        try {
            stopper.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stopper.isAlive() && System.nanoTime() < deadline) {
                if (!container.isRunning()) {
                    wake.run();
                }
                stopper.join(100);
            }
            if (stopper.isAlive()) {
                throw new IllegalStateException("Spring's listener container did not stop within 60 s");
            }
            if (failure.get() != null) {
                throw new IllegalStateException("Spring's listener container failed to stop", failure.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            client.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> live = liveThreads();
        while (!live.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            live = liveThreads();
        }
        if (!live.isEmpty()) {
            throw new IllegalStateException("threads of the Spring consumer survived its stop: " + live);
        }
    }
}
