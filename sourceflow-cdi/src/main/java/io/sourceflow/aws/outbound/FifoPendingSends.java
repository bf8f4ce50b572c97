package io.sourceflow.aws.outbound;

import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.ServiceLimits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A FIFO destination's waiting messages, one lane per message group. A batch takes at most one message of a group,
 * and a group's next message waits until the service settled the one before: SQS and SNS report each entry of a batch
 * on its own, so two messages of one group in one batch could be accepted out of order (the first rejected for a
 * moment, the second accepted), and no retry can put the first back in front. Batches of disjoint groups may be in
 * flight together.
 */
final class FifoPendingSends implements PendingSends {

    /** Waiting messages by group, each lane in submit order; a lane is removed when it empties. */
    private final Map<String, ArrayDeque<OutboundMessage>> lanes = new HashMap<>();
    /** Groups with waiting messages and none in flight, in the order they became ready. */
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    /** Groups with a message in flight or waiting for its retry. */
    private final Set<String> busy = new HashSet<>();
    private int size;

    @Override
    public void add(OutboundMessage message) {
        String group = group(message);
        ArrayDeque<OutboundMessage> lane = lanes.computeIfAbsent(group, g -> new ArrayDeque<>());
        lane.addLast(message);
        size++;
        if (lane.size() == 1 && !busy.contains(group)) {
            ready.addLast(group);
        }
    }

    @Override
    public int sendable() {
        return ready.size();
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public List<OutboundMessage> takeBatch(int maxBytes) {
        List<OutboundMessage> batch = new ArrayList<>(ServiceLimits.MAX_BATCH_ENTRIES);
        int bytes = 0;
        while (!ready.isEmpty() && batch.size() < ServiceLimits.MAX_BATCH_ENTRIES) {
            String group = ready.peekFirst();
            ArrayDeque<OutboundMessage> lane = lanes.get(group);
            OutboundMessage next = lane.peekFirst();
            if (!batch.isEmpty() && bytes + next.size() > maxBytes) {
                break;
            }
            ready.pollFirst();
            lane.pollFirst();
            if (lane.isEmpty()) {
                lanes.remove(group);
            }
            busy.add(group);
            size--;
            batch.add(next);
            bytes += next.size();
        }
        return batch;
    }

    @Override
    public void settled(List<OutboundMessage> messages) {
        for (OutboundMessage message : messages) {
            String group = group(message);
            busy.remove(group);
            if (lanes.containsKey(group)) {
                ready.addLast(group);
            }
        }
    }

    @Override
    public void retry(List<OutboundMessage> messages) {
        for (OutboundMessage message : messages) {
            String group = group(message);
            lanes.computeIfAbsent(group, g -> new ArrayDeque<>()).addFirst(message);
            size++;
            busy.remove(group);
            ready.addLast(group);
        }
    }

    @Override
    public List<OutboundMessage> removeAll() {
        List<OutboundMessage> all = new ArrayList<>(size);
        lanes.values().forEach(all::addAll);
        lanes.clear();
        ready.clear();
        size = 0;
        return all;
    }

    private static String group(OutboundMessage message) {
        return message.groupId().orElseThrow(() -> new IllegalArgumentException(
                "Message " + message.messageId() + " to a FIFO destination has no message group"));
    }
}
