package io.sourceflow.wire;

import jakarta.json.JsonConfig;
import jakarta.json.JsonException;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;

import java.io.StringReader;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Parses exactly one JSON value with JSON-P, rejecting what a lenient reader lets through:
 * content after the value (Parsson's {@code JsonReader} ignores it) and duplicate object members
 * (which different consumers could resolve differently). Thread-safe.
 */
final class StrictJson {

    private final JsonParserFactory parserFactory;
    private final JsonProvider provider = JsonProvider.provider();

    StrictJson() {
        // KEY_STRATEGY is the JSON-P 2.1 switch; the second key is Parsson's own. Implementations
        // ignore configuration keys they do not know.
        this.parserFactory = provider.createParserFactory(Map.of(
                JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE,
                "org.eclipse.parsson.rejectDuplicateKeys", Boolean.TRUE));
    }

    /**
     * @param text JSON text
     * @return the value
     * @throws JsonException (or its subclass {@code JsonParsingException}, which carries the
     *                       location) if the text is not exactly one JSON value
     */
    JsonValue parse(String text) {
        try (JsonParser parser = parserFactory.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw new JsonException("no JSON value");
            }
            JsonParser.Event event = parser.next();
            JsonValue value;
            try {
                value = switch (event) {
                    case START_OBJECT -> parser.getObject();
                    case START_ARRAY -> parser.getArray();
                    default -> parser.getValue();
                };
            } catch (IllegalStateException e) {
                // Parsson's way of reporting a duplicate key under KeyStrategy.NONE; its message
                // names the key, which comes from the input, so it is not passed on.
                throw new JsonException("an object has a duplicate member name");
            }
            if (parser.hasNext()) {
                throw new JsonException("content after the JSON value");
            }
            return value;
        } catch (IllegalStateException | java.util.NoSuchElementException e) {
            throw new JsonException("not a JSON value (" + e.getClass().getSimpleName() + ")");
        } catch (JsonException e) {
            throw e;
        } catch (RuntimeException e) {
            // the parser's limits (nesting depth, say) surface as plain runtime exceptions: poison, not a passing fault
            throw new JsonException("cannot be parsed (" + e.getClass().getSimpleName()
                    + "): nested too deeply, or beyond the parser's limits");
        }
    }

    /**
     * A parsed JSON value and, when it is an object, the exact source text of one member's value.
     *
     * @param value      the value
     * @param memberText the text of the member's value as it appears in the input, when the value is an object that
     *                   has the member and its value is an object or an array (and the JSON-P implementation reports
     *                   stream offsets); otherwise {@code null}
     */
    record WithMemberText(JsonValue value, String memberText) {
    }

    /**
     * Parses like {@link #parse(String)}, and also cuts the source text of the top-level object's member
     * {@code member} out of the input, so that a caller who needs it as text does not write the parsed value back.
     *
     * @throws JsonException as {@link #parse(String)} does
     */
    WithMemberText parse(String text, String member) {
        try (JsonParser parser = parserFactory.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw new JsonException("no JSON value");
            }
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                return new WithMemberText(parse(text), null); // not an object: no member to cut out
            }
            JsonObjectBuilder object = provider.createObjectBuilder();
            Set<String> names = new HashSet<>();
            String memberText = null;
            while (true) {
                JsonParser.Event event = parser.next();
                if (event == JsonParser.Event.END_OBJECT) {
                    break;
                }
                String name = parser.getString(); // KEY_NAME: the parser allows nothing else here
                if (!names.add(name)) {
                    throw new JsonException("an object has a duplicate member name");
                }
                event = parser.next();
                long start = parser.getLocation().getStreamOffset() - 1; // where the value begins, if it is an object or array
                JsonValue value;
                try {
                    value = switch (event) {
                        case START_OBJECT -> parser.getObject();
                        case START_ARRAY -> parser.getArray();
                        default -> parser.getValue();
                    };
                } catch (IllegalStateException e) {
                    throw new JsonException("an object has a duplicate member name");
                }
                if (name.equals(member) && (event == JsonParser.Event.START_OBJECT || event == JsonParser.Event.START_ARRAY)) {
                    memberText = slice(text, start, parser.getLocation().getStreamOffset(), event == JsonParser.Event.START_OBJECT);
                }
                object.add(name, value);
            }
            if (parser.hasNext()) {
                throw new JsonException("content after the JSON value");
            }
            return new WithMemberText(object.build(), memberText);
        } catch (IllegalStateException | java.util.NoSuchElementException e) {
            throw new JsonException("not a JSON value (" + e.getClass().getSimpleName() + ")");
        } catch (JsonException e) {
            throw e;
        } catch (RuntimeException e) {
            // the parser's limits (nesting depth, say) surface as plain runtime exceptions: poison, not a passing fault
            throw new JsonException("cannot be parsed (" + e.getClass().getSimpleName()
                    + "): nested too deeply, or beyond the parser's limits");
        }
    }

    /** The text between the offsets if it is delimited as the parsed object or array was; {@code null} otherwise. */
    private static String slice(String text, long start, long end, boolean object) {
        if (start < 0 || end <= start || end > text.length()) {
            return null; // the implementation reports no usable offsets
        }
        char open = text.charAt((int) start);
        char close = text.charAt((int) end - 1);
        return (object ? open == '{' && close == '}' : open == '[' && close == ']') ? text.substring((int) start, (int) end) : null;
    }
}
