/**
 * The SourceFlow wire format: messages travel as CloudEvents 1.0 in structured JSON mode
 * (see {@code docs/wire-format.md}, "SourceFlow wire format 1").
 * {@link io.sourceflow.wire.CloudEventCodec} writes and reads the envelope and maps message data
 * with JSON-B; {@link io.sourceflow.wire.SnsEnvelope} removes the SNS JSON envelope when SNS raw
 * delivery is off. Nothing here loads a class by a name taken from the wire.
 */
package io.sourceflow.wire;
