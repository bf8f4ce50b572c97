package io.sourceflow.sample.it;

import jakarta.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The checks every deployment test runs against a server with the sample deployed. */
final class SampleChecks {

    /** The saga steps one order goes through, each exactly once. */
    static final List<String> STEPS = List.of("OrderSaga.PlaceOrder", "PaymentSaga.OrderPlaced",
            "PaymentSaga.ProcessPayment", "OrderSaga.PaymentProcessed", "CustomerNotifier.NotifyCustomer");

    private SampleChecks() {
    }

    /** Places an order and returns its id (202 Accepted, Location header, JSON body). */
    static String placeOrder(SampleServer server, String customer, String total) throws IOException, InterruptedException {
        Http.Answer answer = Http.post(server.baseUri().resolve("/api/orders"), "application/json",
                "{\"customer\":\"" + customer + "\",\"total\":" + total + "}");
        assertEquals(202, answer.status(), () -> "POST /api/orders: " + answer);
        String orderId = answer.json().getString("orderId");
        assertEquals("/api/orders/" + orderId, answer.json().getString("location"));
        return orderId;
    }

    /**
     * Places an order as a client that retries a 5xx answer would (at most three attempts): a 5xx means the order was
     * not accepted (its transaction rolled back), so trying again cannot place it twice. Returns its id once a POST was
     * answered 202; a connection failure is thrown at once.
     */
    static String placeOrderRetrying(SampleServer server, String customer, String total) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Http.Answer answer = Http.post(server.baseUri().resolve("/api/orders"), "application/json",
                    "{\"customer\":\"" + customer + "\",\"total\":" + total + "}");
            if (answer.status() >= 500 && attempt < 3) {
                continue;
            }
            assertEquals(202, answer.status(), () -> "POST /api/orders: " + answer);
            return answer.json().getString("orderId");
        }
    }

    /** Polls {@code GET /api/orders/{id}} until the order is PAID, at most {@code timeout}; returns the view. */
    static JsonObject awaitPaid(SampleServer server, String orderId, Duration timeout) throws IOException, InterruptedException {
        URI uri = server.baseUri().resolve("/api/orders/" + orderId);
        long deadline = System.nanoTime() + timeout.toNanos();
        Http.Answer last = null;
        while (System.nanoTime() < deadline) {
            last = Http.get(uri);
            if (last.status() == 200 && "PAID".equals(last.json().getString("status"))) {
                return last.json();
            }
            assertTrue(last.status() == 200 || last.status() == 404, "GET " + uri + ": " + last);
            Thread.sleep(200);
        }
        throw new AssertionError("order " + orderId + " not PAID within " + timeout + "; last answer " + last);
    }

    /** SourceFlow's MicroProfile Health checks (startup, readiness, liveness), each expected in {@code /health}. */
    static final List<String> SOURCEFLOW_CHECKS = List.of("sourceflow-startup", "sourceflow-readiness",
            "sourceflow-liveness");

    /** {@code /health} answers 200 with status UP, and lists SourceFlow's three checks, each UP. */
    static JsonObject assertHealthUp(SampleServer server) throws IOException, InterruptedException {
        JsonObject health = assertHealthUpWithoutSourceFlowChecks(server);
        assertSourceFlowChecksUp(health);
        return health;
    }

    /** SourceFlow's three checks are in {@code health}, each UP. */
    static void assertSourceFlowChecksUp(JsonObject health) {
        Map<String, String> checks = new HashMap<>();
        health.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .forEach(check -> checks.put(check.getString("name"), check.getString("status")));
        for (String name : SOURCEFLOW_CHECKS) {
            assertEquals("UP", checks.get(name), () -> "check " + name + " missing or not UP in " + health);
        }
    }

    /** {@code /health} answers 200 with status UP and a list of checks. */
    static JsonObject assertHealthUpWithoutSourceFlowChecks(SampleServer server) throws IOException, InterruptedException {
        Http.Answer answer = Http.get(server.healthUri());
        assertEquals(200, answer.status(), () -> "GET " + server.healthUri() + ": " + answer);
        JsonObject health = answer.json();
        assertEquals("UP", health.getString("status"), health::toString);
        assertTrue(health.containsKey("checks"), health::toString);
        return health;
    }

    /** Invalid input, malformed JSON and wrong types get 400 with a problem body and no stack trace. */
    static void assertBadRequestsAreProblems(SampleServer server) throws IOException, InterruptedException {
        URI orders = server.baseUri().resolve("/api/orders");
        assertProblem(Http.post(orders, "application/json", "{\"customer\":\"\",\"total\":-1}"), 400, "customer", "total");
        assertProblem(Http.post(orders, "application/json", "{\"customer\":\"bob\"}"), 400, "total");
        assertProblem(Http.post(orders, "application/json", "{\"customer\":\"bob\",\"total\":1.234}"), 400, "total");
        assertProblem(Http.post(orders, "application/json", "{\"customer\": \"bob\", \"total\": "), 400);
        assertProblem(Http.post(orders, "application/json", "{\"customer\":\"bob\",\"total\":\"lots\"}"), 400);
        assertProblem(Http.post(orders, "application/json", ""), 400);
        assertProblem(Http.post(orders, "application/json", "[1,2]"), 400);
        assertProblem(Http.get(server.baseUri().resolve("/api/orders/no-such-order")), 404);
        assertProblem(Http.get(server.baseUri().resolve("/api/orders/bad%20id!")), 400, "id");
    }

    private static void assertProblem(Http.Answer answer, int status, String... fields) {
        assertEquals(status, answer.status(), answer::toString);
        assertTrue(answer.contentType().startsWith("application/problem+json"), answer::toString);
        JsonObject problem = answer.json();
        assertEquals(status, problem.getInt("status"), answer::toString);
        assertTrue(problem.containsKey("title"), answer::toString);
        assertFalse(answer.body().contains("Exception") || answer.body().contains("\tat "), () -> "leaks internals: " + answer);
        for (String field : fields) {
            assertTrue(problem.containsKey("errors") && problem.getJsonArray("errors").stream()
                    .map(JsonObject.class::cast).anyMatch(e -> field.equals(e.getString("field"))),
                    () -> "no error for field '" + field + "' in " + answer);
        }
    }

    /** For each order, how many times each step committed. */
    static Map<String, Map<String, Integer>> stepCounts(Collection<String> orderIds) throws SQLException {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        try (Connection db = Environment.database();
             PreparedStatement query = db.prepareStatement(
                     "SELECT order_id, step, count(*) FROM saga_step WHERE order_id = ANY (?) GROUP BY order_id, step")) {
            query.setArray(1, db.createArrayOf("varchar", orderIds.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.computeIfAbsent(rows.getString(1), k -> new HashMap<>()).put(rows.getString(2), rows.getInt(3));
                }
            }
        }
        return counts;
    }

    /** Each step of each order committed exactly once (waits briefly for the notification, the last step). */
    static void assertEachStepOnce(Collection<String> orderIds, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Map<String, Integer>> counts;
        while (true) {
            Map<String, Map<String, Integer>> current = stepCounts(orderIds);
            counts = current;
            boolean complete = orderIds.stream().allMatch(id -> counts(id, current).size() == STEPS.size());
            if (complete || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
        }
        StringBuilder wrong = new StringBuilder();
        for (String id : orderIds) {
            Map<String, Integer> steps = counts(id, counts);
            for (String step : STEPS) {
                int n = steps.getOrDefault(step, 0);
                if (n != 1) {
                    wrong.append("\n  order ").append(id).append(": ").append(step).append(" ran ").append(n).append(" time(s)");
                }
            }
        }
        if (!wrong.isEmpty()) {
            fail("saga steps did not run exactly once:" + wrong);
        }
    }

    private static Map<String, Integer> counts(String id, Map<String, Map<String, Integer>> counts) {
        return counts.getOrDefault(id, Map.of());
    }

    /**
     * Places an order for alice and waits until it is PAID, each saga step having committed once; prints how long
     * that took on {@code serverName}.
     */
    static void assertAnOrderBecomesPaid(SampleServer server, String serverName) throws Exception {
        long t0 = System.nanoTime();
        String orderId = placeOrder(server, "alice", "42.50");
        JsonObject order = awaitPaid(server, orderId, Duration.ofSeconds(60));
        System.out.printf("%s: order PAID %d ms after POST%n", serverName, (System.nanoTime() - t0) / 1_000_000);
        assertEquals("alice", order.getString("customer"));
        assertEquals(42.5, order.getJsonNumber("total").doubleValue());
        assertEachStepOnce(List.of(orderId), Duration.ofSeconds(30));
    }

    /** Stops the server, then moto, and fails if the server logged an error. */
    static void stopAndAssertNoErrors(SampleServer server, Moto moto) {
        try {
            if (server != null) {
                server.stop();
                assertNoErrors(server);
            }
        } finally {
            if (moto != null) {
                moto.close();
            }
        }
    }

    /** Fails if the server log has ERROR/SEVERE lines. */
    /**
     * Inserts an idempotency row that expired an hour ago and waits until the server's idempotency cleanup (whose
     * interval the test set to 1 s) has deleted it. The row is inserted only now, so that only a cleanup run from now
     * on can delete it.
     */
    static void assertExpiredIdempotencyRowsAreCleaned(String consumer, Duration timeout) throws SQLException, InterruptedException {
        String messageId = "expired-" + java.util.UUID.randomUUID();
        try (Connection db = Environment.database();
             PreparedStatement insert = db.prepareStatement("INSERT INTO sourceflow_processed_message "
                     + "(consumer, message_id, status, processed_at, expires_at) VALUES (?, ?, 'DONE', "
                     + "now() - interval '2 hours', now() - interval '1 hour')")) {
            insert.setString(1, consumer);
            insert.setString(2, messageId);
            assertEquals(1, insert.executeUpdate());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (idempotencyRowExists(consumer, messageId)) {
            if (System.nanoTime() > deadline) {
                fail("the idempotency cleanup did not delete an expired row within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    private static boolean idempotencyRowExists(String consumer, String messageId) throws SQLException {
        try (Connection db = Environment.database();
             PreparedStatement query = db.prepareStatement(
                     "SELECT 1 FROM sourceflow_processed_message WHERE consumer = ? AND message_id = ?")) {
            query.setString(1, consumer);
            query.setString(2, messageId);
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        }
    }

    static void assertNoErrors(SampleServer server) {
        List<String> errors = server.errorLines();
        if (!errors.isEmpty()) {
            fail(errors.size() + " error line(s) in " + server.logFile() + ":\n  " + String.join("\n  ", errors));
        }
    }
}
