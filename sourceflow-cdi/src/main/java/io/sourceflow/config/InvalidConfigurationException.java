package io.sourceflow.config;

import io.sourceflow.SourceFlowException;

import java.util.List;

/**
 * The {@code sourceflow.*} configuration has mistakes. The message lists every problem, each naming
 * its key; {@link #problems()} gives them one by one.
 */
public final class InvalidConfigurationException extends SourceFlowException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** Creates the exception from a non-empty list of problems. */
    public InvalidConfigurationException(List<String> problems) {
        super("Invalid SourceFlow configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, naming its configuration key. */
    public List<String> problems() {
        return problems;
    }
}
