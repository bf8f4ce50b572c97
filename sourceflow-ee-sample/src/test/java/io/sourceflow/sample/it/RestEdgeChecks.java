package io.sourceflow.sample.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample's REST edge (sourceflow-ee-sample/README.md, "The REST edge"), checked over HTTP against a deployed
 * sample: the order body is strict JSON, every client error is one shape of {@code application/problem+json}, the
 * 405 keeps its {@code Allow} header, bodies above 64 KiB are refused with 413 without being read.
 */
final class RestEdgeChecks {

    /** The sample's cap on request bodies (RequestSizeLimit.MAX_BODY_BYTES). */
    static final int MAX_BODY_BYTES = 64 * 1024;

    static final String MALFORMED_JSON = "tag:sourceflow.io,2025:sample/malformed-json";
    static final String INVALID_REQUEST = "tag:sourceflow.io,2025:sample/invalid-request";
    static final String ABOUT_BLANK = "about:blank";

    /** The members a problem may have: RFC 9457's, and the sample's {@code errors}. */
    private static final Set<String> PROBLEM_MEMBERS = Set.of("type", "title", "status", "detail", "errors");

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // see Http.CLIENT
            .connectTimeout(Duration.ofSeconds(10)).build();

    private RestEdgeChecks() {
    }

    /** An answer with its headers (names in lower case). */
    record Answer(int status, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> values = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            return values.isEmpty() ? null : String.join(", ", values);
        }

        String contentType() {
            String type = header("content-type");
            return type == null ? "" : type;
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + body;
        }
    }

    /** A problem as the checks expect it: status, type, a piece of the detail, and the invalid fields' messages. */
    record Expected(int status, String type, String detail, Map<String, String> fields) {
    }

    static Expected problem(int status, String type, String detail) {
        return new Expected(status, type, detail, Map.of());
    }

    static Expected invalid(Map<String, String> fields) {
        return new Expected(400, INVALID_REQUEST, "The request has invalid fields: "
                + String.join(", ", new TreeMap<>(fields).keySet()) + ".", fields);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // strict JSON

    /**
     * The order body is strict: a number for {@code customer}, a string for {@code total}, a member twice, an unknown
     * member, content after the object, and bodies that are not one JSON object are each a 400 that says what is wrong
     * and, where a member is wrong, names it.
     */
    static void assertOrderJsonIsStrict(SampleServer server) throws IOException, InterruptedException {
        Map<String, Expected> cases = new LinkedHashMap<>();
        cases.put("{\"customer\": 12, \"total\": 1}", invalid(Map.of("customer", "must be a JSON string, not a number")));
        cases.put("{\"customer\":\"bob\",\"total\":\"12\"}", invalid(Map.of("total", "must be a JSON number, not a string")));
        cases.put("{\"customer\":[\"bob\"],\"total\":true}", invalid(Map.of("customer", "must be a JSON string, not an array",
                "total", "must be a JSON number, not a boolean")));
        cases.put("{\"customer\":12,\"total\":-1}", invalid(Map.of("customer", "must be a JSON string, not a number",
                "total", "must be greater than or equal to 0.01")));
        cases.put("{\"customer\":\"bob\",\"total\":1,\"customer\":\"bob\"}", invalid(Map.of("customer", "must appear only once")));
        cases.put("{\"customer\":\"bob\",\"total\":1,\"total\":2}", invalid(Map.of("total", "must appear only once")));
        cases.put("{\"customer\":\"bob\",\"total\":1,\"coupon\":\"FREE\"}",
                invalid(Map.of("coupon", "is not a member of an order (its members are customer and total)")));
        cases.put("{\"customer\":null,\"total\":1}", invalid(Map.of("customer", "must not be blank")));
        cases.put("{\"customer\":\"bob\",\"total\":1} trailing", problem(400, MALFORMED_JSON, "content after the JSON object"));
        cases.put("{\"customer\":\"bob\",\"total\":1}{\"customer\":\"eve\",\"total\":2}",
                problem(400, MALFORMED_JSON, "content after the JSON object"));
        cases.put("{\"customer\":\"bob\",\"total\":1}]", problem(400, MALFORMED_JSON, "content after the JSON object"));
        cases.put("{\"customer\": \"bob\", \"total\": ", problem(400, MALFORMED_JSON, "not well-formed JSON"));
        cases.put("{\"customer\": 'bob', \"total\": 1}", problem(400, MALFORMED_JSON, "not well-formed JSON"));
        cases.put("[{\"customer\":\"bob\",\"total\":1}]", problem(400, MALFORMED_JSON, "The request body is an array"));
        cases.put("", problem(400, MALFORMED_JSON, "The request body is empty"));
        URI orders = server.baseUri().resolve("/api/orders");
        for (Map.Entry<String, Expected> c : cases.entrySet()) {
            assertProblem("POST /api/orders " + c.getKey(), postJson(orders, c.getKey()), c.getValue());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // uniform problems

    /**
     * The runtime's errors and paths outside the API answer the same problem shape: 405 with its {@code Allow} header,
     * 404 for the context root and any unknown path, 415, 406, and 400 naming {@code id} for an id with an encoded
     * {@code /} or {@code \}. A path that climbs above the context root once decoded ({@code /orders/..%2F..}) is
     * refused by Open Liberty itself (an HTML 400), and only checked for not showing internals; WildFly passes it to
     * the application (a 404 problem).
     */
    static void assertErrorsAreUniformProblems(SampleServer server) throws IOException, InterruptedException {
        URI base = server.baseUri();
        String notFound = "There is no resource at this path";

        Answer delete = send(HttpRequest.newBuilder(base.resolve("/api/orders")).DELETE());
        assertProblem("DELETE /api/orders", delete, problem(405, ABOUT_BLANK, "This resource does not support the request's method"));
        assertAllows("DELETE /api/orders", delete, "POST");
        Answer put = send(HttpRequest.newBuilder(base.resolve("/api/orders/abc"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertProblem("PUT /api/orders/abc", put, problem(405, ABOUT_BLANK, "This resource does not support the request's method"));
        assertAllows("PUT /api/orders/abc", put, "GET");

        for (String path : List.of("/", "/index.html", "/orders/abc", "/api", "/api/nothing", "/api/orders/abc/def",
                "/a%2Fb")) {
            assertProblem("GET " + path, get(base.resolve(path)), problem(404, ABOUT_BLANK, notFound));
        }
        assertProblem("POST /", send(HttpRequest.newBuilder(base.resolve("/")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))), problem(404, ABOUT_BLANK, notFound));
        assertProblem("GET /api/orders/no-such-order", get(base.resolve("/api/orders/no-such-order")),
                problem(404, ABOUT_BLANK, "No order no-such-order"));
        for (String path : List.of("/api/orders/..%2F..", "/api/orders/..%2F..%2Fhealth", "/api/orders/a%5Cb",
                "/api/orders/%2e%2e", "/api/orders/bad%20id!")) {
            assertProblem("GET " + path, get(base.resolve(path)), invalid(Map.of("id", "not an order id")));
        }

        assertProblem("POST text/plain", send(HttpRequest.newBuilder(base.resolve("/api/orders"))
                        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("alice 42.50"))),
                problem(415, ABOUT_BLANK, "send application/json"));
        assertProblem("GET Accept: text/html", send(HttpRequest.newBuilder(base.resolve("/api/orders/abc"))
                .header("Accept", "text/html").GET()), problem(406, ABOUT_BLANK, "it answers application/json"));

        Answer above = get(base.resolve("/orders/..%2F.."));
        if (above.contentType().startsWith("application/problem+json")) {
            assertProblem("GET /orders/..%2F..", above, problem(404, ABOUT_BLANK, notFound));
        } else {
            // refused by the server before the application sees it: no problem body, but no stack trace either
            assertEquals(400, above.status(), () -> "GET /orders/..%2F..: " + above);
            assertFalse(above.body().contains("\tat ") || above.body().contains("Exception"),
                    () -> "GET /orders/..%2F.. shows internals: " + above);
        }
    }

    private static void assertAllows(String what, Answer answer, String method) {
        String allow = answer.header("Allow");
        assertNotNull(allow, () -> what + ": no Allow header: " + answer.headers());
        assertTrue(Arrays.stream(allow.split(",")).map(String::strip).anyMatch(method::equals),
                () -> what + ": Allow " + allow + " does not list " + method);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the size cap

    /**
     * Bodies above 64 KiB are refused with 413: a declared body of {@code hugeBytes} before any of it is sent (the
     * client sends only the headers and waits for the answer), a chunked body that goes on past the cap before its end
     * (the client never ends it), and a real body of {@code hugeBytes}. 64 KiB exactly is read (and then refused as an
     * order: 400 naming {@code customer}), with a length and chunked. ({@code hugeBytes} must be below the server's own
     * limit, if it has one: WildFly refuses a declared length above its {@code max-post-size}, 10 MB, with an empty
     * 400 before the application sees the request.)
     */
    static void assertBodiesAreCapped(SampleServer server, int hugeBytes) throws IOException, InterruptedException {
        URI orders = server.baseUri().resolve("/api/orders");
        Expected tooLarge = problem(413, ABOUT_BLANK, "larger than " + MAX_BODY_BYTES + " bytes");
        String huge = hugeBytes + " bytes";

        Answer declared = raw(orders, "Content-Length: " + hugeBytes, List.of());
        assertProblem(huge + " declared, nothing sent", declared, tooLarge);
        assertEquals("close", String.valueOf(declared.header("Connection")).toLowerCase(Locale.ROOT), declared::toString);

        byte[] chunk = ("{\"customer\":\"" + "a".repeat(MAX_BODY_BYTES)).getBytes(StandardCharsets.US_ASCII);
        byte[] chunked = chunk(chunk);
        assertProblem("chunked, past the cap and never ended",
                raw(orders, "Transfer-Encoding: chunked", List.of(chunked, chunked)), tooLarge);

        byte[] hugeBody = new byte[hugeBytes];
        Arrays.fill(hugeBody, (byte) ' ');
        assertProblem(huge + " sent", send(HttpRequest.newBuilder(orders).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(hugeBody))), tooLarge);

        Expected customerTooLong = invalid(Map.of("customer", "size must be between 0 and 200"));
        assertProblem("64 KiB", send(HttpRequest.newBuilder(orders).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(orderOfSize(MAX_BODY_BYTES)))), customerTooLong);
        assertProblem("64 KiB + 1", send(HttpRequest.newBuilder(orders).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(orderOfSize(MAX_BODY_BYTES + 1)))), tooLarge);
        assertProblem("64 KiB chunked", send(HttpRequest.newBuilder(orders).header("Content-Type", "application/json")
                .POST(chunkedBody(orderOfSize(MAX_BODY_BYTES)))), customerTooLong);
        assertProblem("64 KiB + 1 chunked", send(HttpRequest.newBuilder(orders).header("Content-Type", "application/json")
                .POST(chunkedBody(orderOfSize(MAX_BODY_BYTES + 1)))), tooLarge);
    }

    /** {@code {"customer":"aaa...","total":1}} of exactly {@code size} bytes. */
    private static byte[] orderOfSize(int size) {
        String frame = "{\"customer\":\"\",\"total\":1}";
        String body = "{\"customer\":\"" + "a".repeat(size - frame.length()) + "\",\"total\":1}";
        assertEquals(size, body.length());
        return body.getBytes(StandardCharsets.US_ASCII);
    }

    /** A body of unknown length: the client sends it chunked. */
    private static HttpRequest.BodyPublisher chunkedBody(byte[] body) {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    }

    private static byte[] chunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * POSTs to {@code uri} over a plain socket: the request line, {@code Content-Type: application/json}, the header
     * {@code framing}, then {@code parts} as they are, and reads the answer without sending anything more (the body is
     * never completed). Waits at most a minute for the answer.
     */
    private static Answer raw(URI uri, String framing, List<byte[]> parts) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\n" + framing + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (byte[] part : parts) {
                out.write(part);
            }
            out.flush();
            return readAnswer(socket.getInputStream());
        }
    }

    /** Reads one HTTP/1.1 answer: status line, headers, and a body of Content-Length bytes or chunked. */
    private static Answer readAnswer(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        assertTrue(parts.length >= 2 && parts[0].startsWith("HTTP/"), () -> "not an HTTP answer: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new TreeMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.computeIfAbsent(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(header.substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.writeBytes(in.readNBytes(Integer.parseInt(headers.get("content-length").get(0))));
        } else if (headers.getOrDefault("transfer-encoding", List.of()).stream().anyMatch(v -> v.equalsIgnoreCase("chunked"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                body.writeBytes(in.readNBytes(size));
                line(in);
            }
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed in the middle of the answer: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // logging

    /** A WARNING or ERROR line of Open Liberty's messages.log: the logger's name and the level. */
    private static final Pattern LIBERTY_WARNING = Pattern.compile("^\\[[^\\]]+\\] \\S+ (\\S+)\\s+([WE]) ");

    /**
     * Client errors are logged at FINE, never as warnings: an unknown member with a unique name is answered 400 and
     * appears in {@code traceLog} (the test enables {@code io.sourceflow.sample.Problem=fine}) but not in
     * {@code messages.log}, and after it and the requests that used to log a WARNING each (an invalid body, an
     * invalid id), messages.log has no WARNING or ERROR from the sample, the REST runtime or the web container.
     */
    static void assertClientErrorsAreLoggedAtFine(SampleServer server, Path traceLog) throws Exception {
        URI orders = server.baseUri().resolve("/api/orders");
        String marker = "probe" + UUID.randomUUID().toString().replace("-", "");
        assertProblem("unknown member " + marker, postJson(orders, "{\"customer\":\"bob\",\"total\":1,\"" + marker + "\":1}"),
                invalid(Map.of(marker, "is not a member of an order (its members are customer and total)")));
        assertProblem("invalid body", postJson(orders, "{\"customer\":\"\",\"total\":-1}"),
                invalid(Map.of("customer", "must not be blank", "total", "must be greater than or equal to 0.01")));
        assertProblem("invalid id", get(server.baseUri().resolve("/api/orders/bad%20id!")), invalid(Map.of("id", "not an order id")));

        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!contains(traceLog, marker)) {
            assertTrue(System.nanoTime() < deadline, () -> "the 400 for " + marker + " is not at FINE in " + traceLog);
            Thread.sleep(100);
        }
        List<String> messages = new String(Files.readAllBytes(server.logFile()), StandardCharsets.UTF_8).lines().toList();
        assertFalse(messages.stream().anyMatch(line -> line.contains(marker)),
                () -> "a client error is in " + server.logFile() + ", logged at INFO or above");
        List<String> warnings = messages.stream().filter(line -> {
            Matcher m = LIBERTY_WARNING.matcher(line);
            return m.find() && m.group(1).matches(".*(sourceflow\\.sample|resteasy|webcontainer|jaxrs).*");
        }).toList();
        assertEquals(List.of(), warnings, () -> "warnings of the REST edge in " + server.logFile());
    }

    private static boolean contains(Path file, String text) throws IOException {
        return Files.exists(file) && new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains(text);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    static Answer get(URI uri) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    static Answer postJson(URI uri, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, List<String>> headers = response.headers().map().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        return new Answer(response.statusCode(), headers, response.body());
    }

    /**
     * {@code answer} is the expected problem: its status, {@code application/problem+json}, only RFC 9457's members
     * and {@code errors}, the status repeated, a title, the type, a detail containing the expected text, exactly the
     * expected fields with their messages, and nothing of the server's internals.
     */
    static void assertProblem(String what, Answer answer, Expected expected) {
        assertEquals(expected.status(), answer.status(), () -> what + ": " + answer);
        assertTrue(answer.contentType().startsWith("application/problem+json"), () -> what + ": " + answer);
        JsonObject problem;
        try (JsonReader reader = Json.createReader(new StringReader(answer.body()))) {
            problem = reader.readObject();
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": not a JSON object: " + answer, e);
        }
        assertTrue(PROBLEM_MEMBERS.containsAll(problem.keySet()), () -> what + ": unexpected members: " + problem);
        assertEquals(expected.status(), problem.getInt("status"), () -> what + ": " + problem);
        assertEquals(expected.type(), problem.getString("type"), () -> what + ": " + problem);
        assertFalse(problem.getString("title", "").isBlank(), () -> what + ": no title: " + problem);
        assertTrue(problem.getString("detail", "").contains(expected.detail()),
                () -> what + ": the detail does not say \"" + expected.detail() + "\": " + problem);
        Map<String, String> fields = new TreeMap<>();
        if (problem.containsKey("errors")) {
            for (JsonValue error : problem.getJsonArray("errors")) {
                fields.put(error.asJsonObject().getString("field"), error.asJsonObject().getString("message"));
            }
        }
        assertEquals(new TreeMap<>(expected.fields()), fields, () -> what + ": " + problem);
        for (String internal : List.of("Exception", "\tat ", "RESTEASY", "SRVE", "CWW", "WFLY", "UT0")) {
            assertFalse(answer.body().contains(internal), () -> what + ": shows internals (" + internal + "): " + answer);
        }
    }
}
