package io.sourceflow.sample;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Invalid input found by Jakarta Validation becomes a 400 {@link Problem#INVALID_REQUEST} listing each invalid field.
 * (The sample's resources validate in their own code; this mapper keeps any other violation a uniform problem.)
 */
@Provider
public final class ConstraintViolationMapper implements ExceptionMapper<ConstraintViolationException> {

    @Override
    public Response toResponse(ConstraintViolationException exception) {
        Map<String, String> errors = new LinkedHashMap<>();
        exception.getConstraintViolations().stream()
                .sorted(Comparator.comparing(v -> field(v)))
                .forEach(v -> errors.merge(field(v), v.getMessage(), (a, b) -> a + "; " + b));
        return Problem.invalidRequest(errors).toResponse();
    }

    /** The last meaningful node of the property path: {@code place.request.total} becomes {@code total}. */
    private static String field(ConstraintViolation<?> violation) {
        String name = "request";
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY) {
                name = node.getName();
            } else if (node.getKind() == jakarta.validation.ElementKind.PARAMETER && "request".equals(name)) {
                name = node.getName();
            }
        }
        return name;
    }
}
