package io.sourceflow.sample;

/**
 * A client error the sample's own code found (an invalid body or order id, a missing order), with the problem to
 * answer; {@link ProblemMapper} answers it. Not a {@code WebApplicationException}, whose response the runtime would
 * send without a mapper.
 */
public final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    ProblemException(Problem problem) {
        super(problem.toString(), null, false, false);
        this.problem = problem;
    }

    /** The problem to answer. */
    Problem problem() {
        return problem;
    }
}
