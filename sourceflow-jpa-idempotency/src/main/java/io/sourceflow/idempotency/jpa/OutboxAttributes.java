package io.sourceflow.idempotency.jpa;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** The message attributes of an outbox row as one text column: {@code name=value&...}, both URL-encoded. */
final class OutboxAttributes {

    private OutboxAttributes() {
    }

    static String encode(Map<String, String> attributes) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(attributes).forEach((name, value) -> {
            if (!text.isEmpty()) {
                text.append('&');
            }
            text.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return text.toString();
    }

    static Map<String, String> decode(String text) {
        Map<String, String> attributes = new TreeMap<>();
        if (text == null || text.isEmpty()) {
            return attributes;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Outbox attributes are damaged: '" + pair + "' has no '='");
            }
            attributes.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return attributes;
    }
}
