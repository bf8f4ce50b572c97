/**
 * Wire format 1 (docs/wire-format.md): CloudEvents JSON envelopes, SNS envelope unwrapping, strict JSON; nothing loads a class by a name from the wire.
 * Depends on JSON-P/JSON-B only.
 */
package io.sourceflow.wire;
