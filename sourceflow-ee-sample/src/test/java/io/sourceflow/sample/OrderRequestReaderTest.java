package io.sourceflow.sample;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strict reading of an order request with Parsson, the JSON-P implementation of Open Liberty and WildFly
 * (validation and the HTTP answers are checked on a deployed server by LibertyDeploymentIT).
 */
class OrderRequestReaderTest {

    @Test
    void aValidOrderIsRead() {
        OrderRequestReader.Members members = parse(" {\"customer\":\"Zoë\",\"total\":129.90}\r\n");
        assertEquals("Zoë", members.customer());
        assertEquals(new BigDecimal("129.90"), members.total());
        assertEquals(Map.of(), members.errors());
    }

    @Test
    void nullCountsAsAbsent() {
        OrderRequestReader.Members members = parse("{\"customer\":null,\"total\":null}");
        assertNull(members.customer());
        assertNull(members.total());
        assertEquals(Map.of(), members.errors());
    }

    @Test
    void aNumberWhereAStringBelongsNamesTheField() {
        assertEquals(Map.of("customer", "must be a JSON string, not a number"),
                parse("{\"customer\":12,\"total\":1}").errors());
        assertEquals(Map.of("total", "must be a JSON number, not a string"),
                parse("{\"customer\":\"bob\",\"total\":\"12\"}").errors());
        assertEquals(Map.of("customer", "must be a JSON string, not an object", "total", "must be a JSON number, not an array"),
                parse("{\"customer\":{\"a\":[1,{}]},\"total\":[1,[2]]}").errors());
        assertEquals(Map.of("customer", "must be a JSON string, not a boolean"),
                parse("{\"customer\":true,\"total\":1}").errors());
    }

    @Test
    void aDuplicateMemberIsAnErrorEvenWithTheSameValue() {
        OrderRequestReader.Members members = parse("{\"customer\":\"bob\",\"total\":1,\"customer\":\"bob\"}");
        assertEquals(Map.of("customer", "must appear only once"), members.errors());
        assertNull(members.customer());
        assertEquals(Map.of("total", "must appear only once"),
                parse("{\"customer\":\"bob\",\"total\":1,\"total\":{\"x\":1}}").errors());
    }

    @Test
    void anUnknownMemberIsNamed() {
        assertEquals(Map.of("discount", "is not a member of an order (its members are customer and total)"),
                parse("{\"customer\":\"bob\",\"total\":1,\"discount\":[{\"x\":null}]}").errors());
        assertEquals(Map.of("Customer", "is not a member of an order (its members are customer and total)"),
                parse("{\"Customer\":\"bob\",\"total\":1}").errors());
    }

    @Test
    void contentAfterTheObjectIsMalformed() {
        assertMalformed("{\"customer\":\"bob\",\"total\":1} x", "content after the JSON object");
        assertMalformed("{\"customer\":\"bob\",\"total\":1}{}", "content after the JSON object");
        assertMalformed("{\"customer\":\"bob\",\"total\":1}]", "content after the JSON object");
        assertMalformed("{\"customer\":\"bob\",\"total\":1},", "content after the JSON object");
        assertMalformed("{\"customer\":\"bob\",\"total\":1}\n\"more\"", "content after the JSON object");
    }

    @Test
    void malformedBodies() {
        assertMalformed("", "empty");
        assertMalformed(" \n\t", "empty");
        assertMalformed("[1,2]", "an array");
        assertMalformed("\"bob\"", "a string");
        assertMalformed("{\"customer\": \"bob\", \"total\": ", "not well-formed JSON");
        assertMalformed("{\"customer\": 'bob'}", "not well-formed JSON");
        assertMalformed("{\"customer\":\"bob\",\"total\":1,}", "not well-formed JSON");
        assertMalformed("{\"customer\":\"bob\" \"total\":1}", "not well-formed JSON");
        // a syntax error after a field error: the body is malformed, whatever else is wrong with it
        assertMalformed("{\"customer\":12,\"total\":1", "not well-formed JSON");
        ProblemException notUtf8 = assertThrows(ProblemException.class,
                () -> OrderRequestReader.parse(new byte[] {'{', '"', 'c', '"', ':', '"', (byte) 0xC3, '"', '}'}));
        assertEquals(Problem.MALFORMED_JSON, notUtf8.problem().type());
        assertTrue(notUtf8.problem().detail().contains("UTF-8"), notUtf8.problem()::toString);
    }

    @Test
    void aHugeExponentIsAFieldError() {
        assertEquals(Map.of("total", "is not a number the sample can read"),
                parse("{\"customer\":\"bob\",\"total\":1e-99999999999}").errors());
    }

    @Test
    void atMostTheLimitIsRead() {
        byte[] limit = new byte[100];
        assertArrayEquals(limit, OrderRequestReader.readAtMost(new ByteArrayInputStream(limit), 100));
        CountingStream endless = new CountingStream();
        ProblemException tooLarge = assertThrows(ProblemException.class, () -> OrderRequestReader.readAtMost(endless, 100));
        assertEquals(413, tooLarge.problem().status());
        assertEquals(101, endless.read, "read beyond the limit + 1");
    }

    private static OrderRequestReader.Members parse(String body) {
        return OrderRequestReader.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertMalformed(String body, String detail) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(body), () -> "accepted: " + body);
        assertEquals(400, e.problem().status());
        assertEquals(Problem.MALFORMED_JSON, e.problem().type());
        assertTrue(e.problem().detail().contains(detail), () -> body + ": " + e.problem());
    }

    /** An endless body that counts the bytes read. */
    private static final class CountingStream extends InputStream {
        int read;

        @Override
        public int read() {
            read++;
            return ' ';
        }
    }
}
