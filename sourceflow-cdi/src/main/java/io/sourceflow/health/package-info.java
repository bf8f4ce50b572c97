/**
 * MicroProfile Health checks of SourceFlow: startup (provisioning and name resolution finished), readiness
 * (every queue, dead-letter queue and topic in use, and the KMS key when encryption is on, answer within a
 * time bound; results are cached briefly) and liveness (every queue poller runs and makes progress). The
 * CDI extension registers them only when the MicroProfile Health API is present.
 */
package io.sourceflow.health;
