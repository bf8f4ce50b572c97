package io.sourceflow.aws.inbound;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.SqsRequest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A hand-written in-memory {@link SqsClient} for component tests of the receive path. It records every call of the
 * operations the inbound package uses (in thread-safe lists), serves {@code ReceiveMessage} from a scripted queue
 * (waiting at most {@value #EMPTY_RECEIVE_WAIT_MILLIS} ms when it is empty instead of the real long poll), and can be
 * told to fail the next calls of an operation with an {@link SdkClientException} or to report given entry ids of the
 * next batch call as failed. Every other operation throws {@link UnsupportedOperationException} (the interface's
 * default).
 */
final class FakeSqsClient implements SqsClient {

    /** The operations this fake implements. */
    enum Op { RECEIVE, DELETE_BATCH, CHANGE_VISIBILITY, CHANGE_VISIBILITY_BATCH, SEND }

    /**
     * One completed (or failed) receive.
     *
     * @param returned how many messages it returned; 0 when it failed
     */
    record ReceiveCall(ReceiveMessageRequest request, String thread, int returned, boolean failed) {
    }

    /** How long an empty receive waits for messages (the real long poll is seconds). */
    static final long EMPTY_RECEIVE_WAIT_MILLIS = 100;

    private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final List<ReceiveCall> receives = new CopyOnWriteArrayList<>();
    private final List<DeleteMessageBatchRequest> deleteBatches = new CopyOnWriteArrayList<>();
    private final List<ChangeMessageVisibilityRequest> visibilityChanges = new CopyOnWriteArrayList<>();
    private final List<ChangeMessageVisibilityBatchRequest> visibilityBatches = new CopyOnWriteArrayList<>();
    private final List<SendMessageRequest> sends = new CopyOnWriteArrayList<>();
    private final List<Op> operations = new CopyOnWriteArrayList<>();
    private final AtomicInteger delivered = new AtomicInteger();
    private final Map<Op, AtomicInteger> failNext = new EnumMap<>(Op.class);
    private final Map<Op, BatchFailure> failEntries = new ConcurrentHashMap<>();
    private final Map<Op, Consumer<SqsRequest>> beforeCall = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record BatchFailure(Set<String> ids, boolean senderFault, String code, String message) {
    }

    FakeSqsClient() {
        for (Op op : Op.values()) {
            failNext.put(op, new AtomicInteger());
        }
    }

    // ---- scripting -------------------------------------------------------------------------------------------------

    /** A standard-queue message. */
    static Message message(String id) {
        return message(id, null, 1);
    }

    /** A message with a receive count and, when {@code groupId} is not null, a FIFO message group. */
    static Message message(String id, String groupId, int receiveCount) {
        Map<MessageSystemAttributeName, String> attributes = new HashMap<>();
        attributes.put(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, Integer.toString(receiveCount));
        if (groupId != null) {
            attributes.put(MessageSystemAttributeName.MESSAGE_GROUP_ID, groupId);
        }
        return Message.builder().messageId(id).receiptHandle("rh-" + id).body("body of " + id).attributes(attributes).build();
    }

    /** Puts messages on the queue for later receives. */
    void enqueue(Collection<Message> messages) {
        queue.addAll(messages);
    }

    /** Messages still waiting to be received. */
    int queued() {
        return queue.size();
    }

    /** Messages returned by receives so far. */
    int delivered() {
        return delivered.get();
    }

    /** The next {@code times} calls of {@code op} throw an {@link SdkClientException}. */
    void failNext(Op op, int times) {
        failNext.get(op).addAndGet(times);
    }

    /** The next call of the batch operation {@code op} reports these entry ids as failed. */
    void failEntriesOfNextCall(Op op, boolean senderFault, String code, String... ids) {
        if (op != Op.DELETE_BATCH && op != Op.CHANGE_VISIBILITY_BATCH) {
            throw new IllegalArgumentException(op + " is not a batch operation");
        }
        failEntries.put(op, new BatchFailure(Set.of(ids), senderFault, code, "fake failure of entry"));
    }

    /** Runs {@code hook} on the calling thread at the start of each call of {@code op} (before it may fail). */
    void beforeEachCall(Op op, Consumer<SqsRequest> hook) {
        beforeCall.put(op, hook);
    }

    // ---- recorded calls --------------------------------------------------------------------------------------------

    List<ReceiveCall> receives() {
        return List.copyOf(receives);
    }

    List<DeleteMessageBatchRequest> deleteBatches() {
        return List.copyOf(deleteBatches);
    }

    List<ChangeMessageVisibilityRequest> visibilityChanges() {
        return List.copyOf(visibilityChanges);
    }

    List<ChangeMessageVisibilityBatchRequest> visibilityBatches() {
        return List.copyOf(visibilityBatches);
    }

    List<SendMessageRequest> sends() {
        return List.copyOf(sends);
    }

    /** Every call of every operation, in the order they started. */
    List<Op> operations() {
        return List.copyOf(operations);
    }

    /** The receipt handles of every DeleteMessageBatch call, in call order (failed calls included). */
    List<String> deletedReceiptHandles() {
        List<String> handles = new ArrayList<>();
        deleteBatches.forEach(b -> b.entries().forEach(e -> handles.add(e.receiptHandle())));
        return handles;
    }

    boolean isClosed() {
        return closed;
    }

    // ---- SqsClient -------------------------------------------------------------------------------------------------

    @Override
    public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
        start(Op.RECEIVE, request);
        String thread = Thread.currentThread().getName();
        if (shouldFail(Op.RECEIVE)) {
            receives.add(new ReceiveCall(request, thread, 0, true));
            throw failure(Op.RECEIVE);
        }
        int max = request.maxNumberOfMessages() == null ? 1 : request.maxNumberOfMessages();
        if (max < 1 || max > 10) {
            receives.add(new ReceiveCall(request, thread, 0, true));
            throw SqsException.builder().statusCode(400)
                    .message("Value " + max + " for parameter MaxNumberOfMessages is invalid").build();
        }
        List<Message> messages = new ArrayList<>(max);
        try {
            Message first = queue.poll(EMPTY_RECEIVE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (first != null) {
                messages.add(first);
                queue.drainTo(messages, max - 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delivered.addAndGet(messages.size());
        receives.add(new ReceiveCall(request, thread, messages.size(), false));
        return ReceiveMessageResponse.builder().messages(messages).build();
    }

    @Override
    public DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest request) {
        start(Op.DELETE_BATCH, request);
        deleteBatches.add(request);
        if (shouldFail(Op.DELETE_BATCH)) {
            throw failure(Op.DELETE_BATCH);
        }
        BatchFailure failure = failEntries.remove(Op.DELETE_BATCH);
        DeleteMessageBatchResponse.Builder response = DeleteMessageBatchResponse.builder();
        List<DeleteMessageBatchResultEntry> ok = new ArrayList<>();
        List<BatchResultErrorEntry> failed = new ArrayList<>();
        request.entries().forEach(e -> {
            if (failure != null && failure.ids().contains(e.id())) {
                failed.add(error(e.id(), failure));
            } else {
                ok.add(DeleteMessageBatchResultEntry.builder().id(e.id()).build());
            }
        });
        return response.successful(ok).failed(failed).build();
    }

    @Override
    public ChangeMessageVisibilityResponse changeMessageVisibility(ChangeMessageVisibilityRequest request) {
        start(Op.CHANGE_VISIBILITY, request);
        visibilityChanges.add(request);
        if (shouldFail(Op.CHANGE_VISIBILITY)) {
            throw failure(Op.CHANGE_VISIBILITY);
        }
        return ChangeMessageVisibilityResponse.builder().build();
    }

    @Override
    public ChangeMessageVisibilityBatchResponse changeMessageVisibilityBatch(ChangeMessageVisibilityBatchRequest request) {
        start(Op.CHANGE_VISIBILITY_BATCH, request);
        visibilityBatches.add(request);
        if (shouldFail(Op.CHANGE_VISIBILITY_BATCH)) {
            throw failure(Op.CHANGE_VISIBILITY_BATCH);
        }
        BatchFailure failure = failEntries.remove(Op.CHANGE_VISIBILITY_BATCH);
        List<ChangeMessageVisibilityBatchResultEntry> ok = new ArrayList<>();
        List<BatchResultErrorEntry> failed = new ArrayList<>();
        request.entries().forEach(e -> {
            if (failure != null && failure.ids().contains(e.id())) {
                failed.add(error(e.id(), failure));
            } else {
                ok.add(ChangeMessageVisibilityBatchResultEntry.builder().id(e.id()).build());
            }
        });
        return ChangeMessageVisibilityBatchResponse.builder().successful(ok).failed(failed).build();
    }

    @Override
    public SendMessageResponse sendMessage(SendMessageRequest request) {
        start(Op.SEND, request);
        sends.add(request);
        if (shouldFail(Op.SEND)) {
            throw failure(Op.SEND);
        }
        return SendMessageResponse.builder().messageId(UUID.randomUUID().toString()).build();
    }

    @Override
    public String serviceName() {
        return SqsClient.SERVICE_NAME;
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---- internals -------------------------------------------------------------------------------------------------

    private void start(Op op, SqsRequest request) {
        operations.add(op);
        Consumer<SqsRequest> hook = beforeCall.get(op);
        if (hook != null) {
            hook.accept(request);
        }
    }

    private boolean shouldFail(Op op) {
        return failNext.get(op).getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    private static SdkClientException failure(Op op) {
        return SdkClientException.create("Fake failure of " + op);
    }

    private static BatchResultErrorEntry error(String id, BatchFailure failure) {
        return BatchResultErrorEntry.builder().id(id).senderFault(failure.senderFault()).code(failure.code())
                .message(failure.message()).build();
    }
}
