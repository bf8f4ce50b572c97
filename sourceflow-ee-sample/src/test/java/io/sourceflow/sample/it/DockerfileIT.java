package io.sourceflow.sample.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No Docker engine runs here, so the Dockerfile is checked by reading it: every file it COPYs exists in the
 * build output (this runs after {@code package}), it uses the official Open Liberty base image, runs the
 * documented {@code features.sh} and {@code configure.sh} steps, runs as non-root and has a health check.
 */
class DockerfileIT {

    private final Path root = Environment.path("sample.repo-root");
    private final List<String> lines = read();

    private List<String> read() {
        try {
            return Files.readAllLines(Environment.path("sample.repo-root").resolve("Dockerfile"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyCopiedFileExists() {
        List<String> copies = lines.stream().map(String::strip).filter(l -> l.startsWith("COPY ")).toList();
        assertFalse(copies.isEmpty(), "the Dockerfile copies nothing");
        for (String copy : copies) {
            String[] words = copy.split("\\s+");
            List<String> args = java.util.Arrays.stream(words).skip(1).filter(w -> !w.startsWith("--")).toList();
            for (String source : args.subList(0, args.size() - 1)) {
                assertTrue(Files.isRegularFile(root.resolve(source)), "COPY source missing: " + source + " (" + copy + ")");
            }
        }
    }

    @Test
    void followsTheOpenLibertyImageConventions() {
        String text = String.join("\n", lines);
        assertTrue(text.contains("FROM icr.io/appcafe/open-liberty:"), "official Open Liberty base image");
        assertTrue(text.contains("RUN features.sh"), "features.sh step");
        assertTrue(text.contains("RUN configure.sh"), "configure.sh step");
        assertTrue(text.indexOf("RUN features.sh") < text.indexOf("sourceflow-ee-sample.war"), "features before the app");
        assertTrue(text.contains("USER 1001"), "non-root");
        assertTrue(text.contains("HEALTHCHECK") && text.contains("/health"), "health check against /health");
        assertTrue(text.contains("/config/server.xml"), "server.xml in /config");
    }
}
