/**
 * The transport-neutral core: registry and descriptors, handler dispatch (one run-all-handlers rule), CommandBus and EventPublisher, the outbound port (OutboundRouter, OutboundTransport) and the commit gate.
 * Depends on the API, config and JTA; never on aws, cdi, health, the AWS SDK or the container's SPI.
 */
package io.sourceflow.core;
