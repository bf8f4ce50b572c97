package io.sourceflow.aws.outbound;

import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.ServiceLimits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A standard destination's waiting messages: any of them may share a batch, in submit order. */
final class StandardPendingSends implements PendingSends {

    private final Deque<OutboundMessage> pending = new ArrayDeque<>();

    @Override
    public void add(OutboundMessage message) {
        pending.addLast(message);
    }

    @Override
    public int sendable() {
        return pending.size();
    }

    @Override
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    @Override
    public List<OutboundMessage> takeBatch(int maxBytes) {
        List<OutboundMessage> batch = new ArrayList<>(ServiceLimits.MAX_BATCH_ENTRIES);
        int bytes = 0;
        while (!pending.isEmpty() && batch.size() < ServiceLimits.MAX_BATCH_ENTRIES) {
            OutboundMessage next = pending.peekFirst();
            if (!batch.isEmpty() && bytes + next.size() > maxBytes) {
                break;
            }
            batch.add(pending.pollFirst());
            bytes += next.size();
        }
        return batch;
    }

    @Override
    public void settled(List<OutboundMessage> messages) {
    }

    @Override
    public void retry(List<OutboundMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            pending.addFirst(messages.get(i));
        }
    }

    @Override
    public List<OutboundMessage> removeAll() {
        List<OutboundMessage> all = new ArrayList<>(pending);
        pending.clear();
        return all;
    }
}
