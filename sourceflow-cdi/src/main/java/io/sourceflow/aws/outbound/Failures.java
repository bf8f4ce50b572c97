package io.sourceflow.aws.outbound;

/** How a failure is named in an error message: its message, or its type when it has none. */
final class Failures {

    private Failures() {
    }

    /**
     * The failure's message, or e.g. "CircuitBreakerOpenException (no message)": some failures of the fault-tolerance
     * layer and of executors carry none, and "failed: null" tells an operator nothing.
     */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() + " (no message)" : message;
    }
}
