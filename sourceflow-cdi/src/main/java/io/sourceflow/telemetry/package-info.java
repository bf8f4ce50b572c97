/**
 * Spans and metrics through the OpenTelemetry API (no-op without it); the transport's only entry point is SourceFlowTelemetry (docs/operations.md).
 * Depends on config, masking and the OpenTelemetry API.
 */
package io.sourceflow.telemetry;
