/**
 * Traces and metrics of the AWS transport through the OpenTelemetry API (MicroProfile Telemetry 2.0).
 *
 * <p>{@link io.sourceflow.telemetry.SourceFlowTelemetry} is the only entry point the transport calls. It
 * uses the {@code OpenTelemetry} CDI bean when the server provides one (mpTelemetry), else
 * {@code GlobalOpenTelemetry}, and is a no-op when the OpenTelemetry API is not on the class path at all:
 * only {@code OtelBackend} references OpenTelemetry types, and it is loaded only after the API was found.
 * Spans follow the OpenTelemetry messaging semantic conventions; the trace context travels in the
 * CloudEvents {@code traceparent}/{@code tracestate} extensions of the body (W3C Trace Context).
 * docs/operations.md lists every span, attribute and metric.
 */
package io.sourceflow.telemetry;
