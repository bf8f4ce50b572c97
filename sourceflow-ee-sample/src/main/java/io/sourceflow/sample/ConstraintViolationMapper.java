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

/** Invalid input (Jakarta Validation) becomes 400 with a problem body listing each invalid field. */
@Provider
public final class ConstraintViolationMapper implements ExceptionMapper<ConstraintViolationException> {

    @Override
    public Response toResponse(ConstraintViolationException exception) {
        Map<String, String> errors = new LinkedHashMap<>();
        exception.getConstraintViolations().stream()
                .sorted(Comparator.comparing(v -> field(v)))
                .forEach(v -> errors.merge(field(v), v.getMessage(), (a, b) -> a + "; " + b));
        return Problems.of(Response.Status.BAD_REQUEST, "Invalid request", "The request has invalid fields.", errors);
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
