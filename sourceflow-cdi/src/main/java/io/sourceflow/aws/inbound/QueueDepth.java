package io.sourceflow.aws.inbound;

import io.sourceflow.aws.Destinations;
import io.sourceflow.aws.ShortNames;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.util.concurrent.Executor;

/** Registers a polled queue and its dead-letter queue for the {@code sourceflow.aws.queue.depth} gauge. */
final class QueueDepth {

    private QueueDepth() {
    }

    static void watch(SourceFlowTelemetry telemetry, SqsClient sqs, String queue, Destinations destinations, Executor executor) {
        telemetry.watchQueueDepth(queue, () -> depth(sqs, destinations.queueUrl(queue)), executor);
        destinations.deadLetterQueueUrl(queue).ifPresent(dlqUrl ->
                telemetry.watchQueueDepth(ShortNames.of(dlqUrl), () -> depth(sqs, dlqUrl), executor));
    }

    private static long depth(SqsClient sqs, String queueUrl) {
        String value = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return value == null ? -1 : Long.parseLong(value);
    }
}
