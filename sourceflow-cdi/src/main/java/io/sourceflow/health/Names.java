package io.sourceflow.health;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** How the health checks show names and durations: short resource names, never URLs or ARNs. */
final class Names {

    private Names() {
    }

    /** A KMS key as shown: an ARN without its prefix up to the key ({@code key/1234...}), an alias or id as it is. */
    static String displayName(String nameOrAddress) {
        String s = nameOrAddress.endsWith("/") ? nameOrAddress.substring(0, nameOrAddress.length() - 1) : nameOrAddress;
        if (s.startsWith("http://") || s.startsWith("https://")) {
            return s.substring(s.lastIndexOf('/') + 1);
        }
        if (s.startsWith("arn:")) {
            return s.substring(s.lastIndexOf(':') + 1);
        }
        return s;
    }

    static String join(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
