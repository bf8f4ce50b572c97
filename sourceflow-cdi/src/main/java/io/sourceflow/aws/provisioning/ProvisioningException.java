package io.sourceflow.aws.provisioning;

import java.util.List;

/**
 * Provisioning failed: resources are missing or mis-configured, or AWS refused a call. The
 * message lists every problem, one per line, each naming the resource and what to do.
 */
public final class ProvisioningException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ProvisioningException(String summary, List<String> problems) {
        this(summary, problems, null);
    }

    public ProvisioningException(String summary, List<String> problems, Throwable cause) {
        super(message(summary, problems), cause);
        this.problems = List.copyOf(problems);
    }

    /** Each problem, naming the resource and what is wrong. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String summary, List<String> problems) {
        StringBuilder message = new StringBuilder(summary);
        for (String problem : problems) {
            message.append("\n - ").append(problem);
        }
        return message.toString();
    }
}
