package io.sourceflow.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The one rule for SQS/SNS batch requests: items go in chunks of at most {@link ServiceLimits#MAX_BATCH_ENTRIES}, an
 * entry's id is its position in its chunk, and the response's failed entries are matched back by that id. Internal
 * to SourceFlow.
 */
public final class BatchEntries {

    private static final String[] IDS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    private BatchEntries() {
    }

    /** Consecutive chunks of at most 10 items, in order (views of {@code items}). */
    public static <T> List<List<T>> partition(List<T> items) {
        List<List<T>> chunks = new ArrayList<>((items.size() + ServiceLimits.MAX_BATCH_ENTRIES - 1) / ServiceLimits.MAX_BATCH_ENTRIES);
        for (int from = 0; from < items.size(); from += ServiceLimits.MAX_BATCH_ENTRIES) {
            chunks.add(items.subList(from, Math.min(items.size(), from + ServiceLimits.MAX_BATCH_ENTRIES)));
        }
        return chunks;
    }

    /** The entry id of the item at this position of its batch. */
    public static String id(int position) {
        return position < IDS.length ? IDS[position] : Integer.toString(position);
    }

    /**
     * Reports each item of a batch: accepted, or failed with the error the service gave for its entry id.
     *
     * @param errorsById the response's failed entries: entry id to error
     */
    public static <T, E> void settle(List<T> batch, Map<String, E> errorsById, Consumer<T> accepted, BiConsumer<T, E> failed) {
        for (int i = 0; i < batch.size(); i++) {
            E error = errorsById.isEmpty() ? null : errorsById.get(id(i));
            if (error == null) {
                accepted.accept(batch.get(i));
            } else {
                failed.accept(batch.get(i), error);
            }
        }
    }
}
