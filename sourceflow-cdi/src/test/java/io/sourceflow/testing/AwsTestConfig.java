package io.sourceflow.testing;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Configuration maps for deployments that talk to an emulator, with unique names per test. */
public final class AwsTestConfig {

    private AwsTestConfig() {
    }

    /** A fresh suffix for resource names, so tests sharing one emulator do not meet. */
    public static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Endpoint, region, a 1 s long poll (so containers stop quickly) and a short shutdown timeout. */
    public static Map<String, String> emulator(URI endpoint) {
        Map<String, String> config = new HashMap<>();
        config.put("sourceflow.aws.endpoint", endpoint.toString());
        config.put("sourceflow.aws.region", "us-east-1");
        config.put("sourceflow.aws.wait-time", "1s");
        // tests that make handlers fail want their retries now, not after the production default of 15 s
        config.put("sourceflow.aws.retry.initial-delay", "1s");
        config.put("sourceflow.aws.shutdown-timeout", "10s");
        return config;
    }
}
