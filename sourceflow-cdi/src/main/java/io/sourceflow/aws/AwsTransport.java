package io.sourceflow.aws;

import io.sourceflow.cdi.MessageDescriptor;
import io.sourceflow.cdi.MessageKind;
import io.sourceflow.cdi.OutboundTransport;
import io.sourceflow.cdi.Route;
import io.sourceflow.config.SourceFlowConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends routed commands to SQS and routed events to SNS. Each message is encoded, checked against its
 * destination's size limit and FIFO rules before anything is sent, then handed to the destination's
 * batcher (SendMessageBatch / PublishBatch of up to 10).
 */
@Singleton
public final class AwsTransport implements OutboundTransport {

    private final SourceFlowRuntime runtime;
    private final MessageSerializer serializer;
    private final AwsServiceClients clients;
    private final SourceFlowExecutors executors;
    private final SourceFlowConfig config;
    private final Map<String, OutboundBatcher> batchers = new ConcurrentHashMap<>();

    @Inject
    AwsTransport(SourceFlowRuntime runtime, MessageSerializer serializer, AwsServiceClients clients,
                 SourceFlowExecutors executors, SourceFlowConfig config) {
        this.runtime = runtime;
        this.serializer = serializer;
        this.clients = clients;
        this.executors = executors;
        this.config = config;
    }

    @Override
    public Prepared prepare(MessageDescriptor descriptor, Object message) {
        Route route = descriptor.route().orElseThrow();
        boolean command = descriptor.kind() == MessageKind.COMMAND;
        Optional<String> group = Optional.empty();
        if (route.fifo()) {
            group = descriptor.entityKeyOf(message);
            if (group.isEmpty()) {
                throw new MissingEntityKeyException(descriptor.logicalName(),
                        descriptor.entityKey().map(k -> k.memberName()).orElse("no @EntityKey"), route.destination());
            }
        }
        OutboundMessage outbound = serializer.encode(descriptor, message, group);
        int limit = command ? SqsBatchSender.MAX_BYTES : SnsBatchSender.MAX_BYTES;
        if (outbound.size() > limit) {
            throw new MessageTooLargeException(descriptor.logicalName(), (command ? "queue " : "topic ") + route.destination(),
                    outbound.size(), limit);
        }
        return new Prepared() {
            @Override
            public String messageId() {
                return outbound.messageId();
            }

            @Override
            public CompletionStage<Void> send() {
                try {
                    batcher(command, route).submit(outbound);
                } catch (RuntimeException e) {
                    outbound.accepted().completeExceptionally(e);
                }
                return outbound.accepted();
            }
        };
    }

    private OutboundBatcher batcher(boolean command, Route route) {
        String key = (command ? "queue:" : "topic:") + route.destination();
        OutboundBatcher existing = batchers.get(key);
        if (existing != null) {
            return existing;
        }
        return batchers.computeIfAbsent(key, k -> {
            Destinations destinations = runtime.start();
            BatchSender sender = command
                    ? new SqsBatchSender(clients.sqs(), route.destination(), destinations.queueUrl(route.destination()))
                    : new SnsBatchSender(clients.sns(), route.destination(), destinations.topicArn(route.destination()));
            return new OutboundBatcher(sender, executors.executor(), executors.scheduler(), config.aws().batchLinger(), route.fifo());
        });
    }
}
