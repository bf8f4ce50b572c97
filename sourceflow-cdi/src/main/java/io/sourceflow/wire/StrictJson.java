package io.sourceflow.wire;

import jakarta.json.JsonConfig;
import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.util.Map;

/**
 * Parses exactly one JSON value with JSON-P, rejecting what a lenient reader lets through:
 * content after the value (Parsson's {@code JsonReader} ignores it) and duplicate object members
 * (which different consumers could resolve differently). Thread-safe.
 */
final class StrictJson {

    private final JsonParserFactory parserFactory;

    StrictJson() {
        // KEY_STRATEGY is the JSON-P 2.1 switch; the second key is Parsson's own. Implementations
        // ignore configuration keys they do not know.
        this.parserFactory = JsonProvider.provider().createParserFactory(Map.of(
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
        }
    }
}
