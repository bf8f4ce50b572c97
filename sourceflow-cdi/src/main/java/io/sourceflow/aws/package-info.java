/**
 * The AWS transport's documented face (ListenerControl, TransportStatus, DeadLetterQueues, ProcessingStatistics, AwsSendCalls, DataEncryption, exceptions) and the parts both paths share (clients, executors, serializer, TransportPlan, AwsStartup, ServiceLimits, BatchEntries, ShortNames).
 * Depends on core, config, wire, telemetry, masking, spi, aws.kms and aws.provisioning; reaches the listeners only through Listeners, never naming aws.inbound or aws.outbound.
 */
package io.sourceflow.aws;
