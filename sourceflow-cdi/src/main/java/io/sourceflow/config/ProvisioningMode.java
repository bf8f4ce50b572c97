package io.sourceflow.config;

/** What {@link ResourceProvisioner#apply} does with the resources of a plan. */
public enum ProvisioningMode {
    /** Creates what is missing and corrects what differs; idempotent, safe on every start. */
    CREATE,
    /** Creates and changes nothing; fails listing every missing or mis-configured resource. */
    VERIFY,
    /** Only resolves names to URLs and ARNs, trusting that the resources exist as needed. */
    OFF
}
