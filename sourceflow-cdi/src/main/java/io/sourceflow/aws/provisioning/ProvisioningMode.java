package io.sourceflow.aws.provisioning;

/** What SourceFlow does with queues, topics and subscriptions at startup ({@code sourceflow.aws.provisioning}). */
public enum ProvisioningMode {
    /** Create what is missing and correct what differs; idempotent at every start. */
    CREATE,
    /** Create nothing; fail startup naming every missing or mis-configured resource. */
    VERIFY,
    /** Trust what exists; only resolve names to URLs and ARNs. */
    OFF
}
