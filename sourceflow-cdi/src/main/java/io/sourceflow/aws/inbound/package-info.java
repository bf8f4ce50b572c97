/**
 * The receive path as roles: ReceiveLoop (slots, backlog pollers, pause, back-off), MessageSink (per message, FIFO groups in order), Settlement, visibility changes and heartbeat, HandlerWatch (handler timeout), DeleteBatcher, IdempotencyGuard with ClaimRenewal, InboundProcessor.
 * Depends on aws, core, config, wire, telemetry, masking, spi and aws.kms; never on aws.outbound.
 */
package io.sourceflow.aws.inbound;
