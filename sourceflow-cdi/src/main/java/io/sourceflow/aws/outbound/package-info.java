/**
 * The send path: AwsTransport (the core's OutboundTransport), the per-destination OutboundBatcher, and the SQS and SNS batch senders with one batch-result rule.
 * Depends on aws, core, config, telemetry and masking; never on aws.inbound.
 */
package io.sourceflow.aws.outbound;
