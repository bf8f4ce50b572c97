package io.sourceflow.sample;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParserFactory;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the body of {@code POST /api/orders} strictly, in the sample's own code rather than through JSON-B, so that
 * it behaves the same on every server whatever its JSON-B implementation and settings:
 *
 * <ul>
 *   <li>at most {@link RequestSizeLimit#MAX_BODY_BYTES} bytes are read; a longer body is a 413;</li>
 *   <li>the body must be UTF-8 and exactly one well-formed JSON object: empty, not JSON, not an object, or
 *       content after the object is a 400 {@link Problem#MALFORMED_JSON};</li>
 *   <li>{@code customer} must be a JSON string and {@code total} a JSON number (a {@code null} counts as absent);
 *       a member that appears twice, or any other member, is an error: each is a 400
 *       {@link Problem#INVALID_REQUEST} that names the member, together with the constraint violations of
 *       {@link OrderRequest} for the other members.</li>
 * </ul>
 *
 * The JSON-P streaming parser (Parsson on Open Liberty and on WildFly) reads the tokens; the duplicate, unknown and
 * type checks are ours. Content after the object is found by asking the parser for the next token
 * ({@link JsonParser#hasNext()} after the object's end answers {@code true} or throws).
 */
@ApplicationScoped
public class OrderRequestReader {

    private static final JsonParserFactory JSON = Json.createParserFactory(Map.of());

    private Validator validator;

    /** For the container's client proxy. */
    protected OrderRequestReader() {
    }

    @Inject
    OrderRequestReader(Validator validator) {
        this.validator = validator;
    }

    /** The request in {@code body}, valid; or a {@link ProblemException} with the 400 or 413 to answer. */
    public OrderRequest read(InputStream body) {
        Members members = parse(readAtMost(body, RequestSizeLimit.MAX_BODY_BYTES));
        OrderRequest request = new OrderRequest(members.customer(), members.total());
        Map<String, String> errors = new TreeMap<>(members.errors());
        for (ConstraintViolation<OrderRequest> violation : validator.validate(request)) {
            String field = violation.getPropertyPath().iterator().next().getName();
            if (!members.errors().containsKey(field)) {
                errors.merge(field, violation.getMessage(), OrderRequestReader::both);
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalidRequest(errors));
        }
        return request;
    }

    /**
     * The members of one order request and the errors of its members (by name: wrong JSON type, duplicate,
     * unknown); a member with an error is null here.
     */
    record Members(String customer, BigDecimal total, Map<String, String> errors) {
    }

    /**
     * Reads at most {@code limit} bytes: returns them if the stream ended there, else throws the 413 (without
     * reading further).
     */
    static byte[] readAtMost(InputStream in, int limit) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw new ProblemException(Problem.of(Response.Status.BAD_REQUEST, "The request body could not be read."));
        }
        if (bytes.length > limit) {
            throw new ProblemException(Problem.contentTooLarge(limit));
        }
        return bytes;
    }

    /** Parses {@code body} (see the class comment); throws the 400 for a body that is not one JSON object. */
    static Members parse(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("The request body is not UTF-8 text.");
        }
        if (text.chars().allMatch(OrderRequestReader::isJsonWhitespace)) {
            throw malformed("The request body is empty; send a JSON object such as {\"customer\":\"alice\",\"total\":42.50}.");
        }
        String customer = null;
        BigDecimal total = null;
        Map<String, String> errors = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        try (JsonParser json = JSON.createParser(new StringReader(text))) {
            Event first = json.next();
            if (first != Event.START_OBJECT) {
                throw malformed("The request body is " + describe(first) + "; it must be a JSON object such as "
                        + "{\"customer\":\"alice\",\"total\":42.50}.");
            }
            for (Event event = json.next(); event != Event.END_OBJECT; event = json.next()) {
                String name = json.getString(); // a key: the parser allows nothing else here
                Event value = json.next();
                if (!seen.add(name)) {
                    errors.merge(name, "must appear only once", OrderRequestReader::both);
                    skip(json, value);
                } else if ("customer".equals(name)) {
                    if (value == Event.VALUE_STRING) {
                        customer = json.getString();
                    } else if (value != Event.VALUE_NULL) {
                        errors.merge(name, "must be a JSON string, not " + describe(value), OrderRequestReader::both);
                        skip(json, value);
                    }
                } else if ("total".equals(name)) {
                    if (value == Event.VALUE_NUMBER) {
                        total = number(json, errors);
                    } else if (value != Event.VALUE_NULL) {
                        errors.merge(name, "must be a JSON number, not " + describe(value), OrderRequestReader::both);
                        skip(json, value);
                    }
                } else {
                    errors.merge(name, "is not a member of an order (its members are customer and total)",
                            OrderRequestReader::both);
                    skip(json, value);
                }
            }
            if (contentFollows(json)) {
                throw malformed("There is content after the JSON object; send exactly one JSON object.");
            }
        } catch (JsonException | NoSuchElementException | IllegalStateException e) {
            throw malformed("The request body is not well-formed JSON.");
        }
        // a member with an error is reported for that error alone, not also as missing
        return new Members(errors.containsKey("customer") ? null : customer,
                errors.containsKey("total") ? null : total, errors);
    }

    private static BigDecimal number(JsonParser json, Map<String, String> errors) {
        try {
            return json.getBigDecimal();
        } catch (NumberFormatException | ArithmeticException e) {
            // e.g. an exponent beyond what BigDecimal holds: 1e-9999999999
            errors.merge("total", "is not a number the sample can read", OrderRequestReader::both);
            return null;
        }
    }

    /** Skips the rest of a value whose first event was {@code first} (an object or array to its end). */
    private static void skip(JsonParser json, Event first) {
        if (first != Event.START_OBJECT && first != Event.START_ARRAY) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            Event event = json.next();
            if (event == Event.START_OBJECT || event == Event.START_ARRAY) {
                depth++;
            } else if (event == Event.END_OBJECT || event == Event.END_ARRAY) {
                depth--;
            }
        }
    }

    /** Whether anything but whitespace follows the top-level value the parser has just ended. */
    private static boolean contentFollows(JsonParser json) {
        try {
            return json.hasNext();
        } catch (JsonException e) {
            return true;
        }
    }

    private static String describe(Event event) {
        return switch (event) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "not a JSON value";
        };
    }

    private static boolean isJsonWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static String both(String first, String second) {
        return first + "; " + second;
    }

    private static ProblemException malformed(String detail) {
        return new ProblemException(Problem.malformedJson(detail));
    }
}
