package io.sourceflow.health;

import io.smallrye.health.AsyncHealthCheckFactory;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.health.registry.HealthRegistries;
import jakarta.json.JsonObject;

import java.util.Optional;

/** Reads SmallRye Health results: the real MP Health reporter, as a server runs it, in a Weld SE deployment. */
final class Health {

    /** Bean classes that make up SmallRye Health; add them to a test deployment. */
    static final Class<?>[] REPORTER = {SmallRyeHealthReporter.class, AsyncHealthCheckFactory.class, HealthRegistries.class};

    private Health() {
    }

    /** The named check's JSON ({@code name}, {@code status}, {@code data}), if the result has it. */
    static Optional<JsonObject> check(SmallRyeHealth health, String name) {
        return health.getPayload().getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("name").equals(name)).findFirst();
    }

    /** Whether the named check is in the result and UP. */
    static boolean isUp(SmallRyeHealth health, String name) {
        return check(health, name).map(c -> c.getString("status").equals("UP")).orElse(false);
    }

    /** Whether the named check is in the result and DOWN. */
    static boolean isDown(SmallRyeHealth health, String name) {
        return check(health, name).map(c -> c.getString("status").equals("DOWN")).orElse(false);
    }

    /** One data entry of the named check, as text ("" if absent). */
    static String data(SmallRyeHealth health, String name, String key) {
        return check(health, name).map(c -> c.getJsonObject("data")).filter(d -> d != null && d.containsKey(key))
                .map(d -> d.get(key).toString().replace("\"", "")).orElse("");
    }

}
