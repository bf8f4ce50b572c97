package io.sourceflow.config;

import java.time.Duration;

/**
 * Telemetry ({@code sourceflow.telemetry.*}).
 *
 * @param queueDepthInterval how often at most the {@code sourceflow.aws.queue.depth} gauge reads
 *                           ApproximateNumberOfMessages of a queue (one GetQueueAttributes per queue and
 *                           interval, only while a metric reader collects); zero turns the gauge off
 */
public record TelemetrySettings(Duration queueDepthInterval) {
}
