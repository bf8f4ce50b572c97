package io.sourceflow.masking;

import static org.assertj.core.api.Assertions.assertThat;

import io.sourceflow.Sensitive;
import io.sourceflow.Sensitive.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SensitiveDataMaskerTest {

    public record PlaceOrder(String orderId, @Sensitive(kind = Kind.CARD) String card,
                             @Sensitive(kind = Kind.EMAIL) String email, BigDecimal total) {
    }

    public record Address(String city, @Sensitive String street) {
    }

    public record Customer(String name, @Sensitive(kind = Kind.EMAIL) String email, List<Address> addresses,
                           Optional<Address> billing, Map<String, Address> byLabel, Address[] history) {
    }

    public record Wrapper(@Sensitive Customer customer, String note) {
    }

    static final class Node {
        String name;
        @Sensitive String secret;
        List<Object> children = new ArrayList<>();
    }

    private final SensitiveDataMasker masker = new SensitiveDataMasker();

    @Test
    void masksEachKind() {
        PlaceOrder order = new PlaceOrder("o-1", "4111 1111 1111 1234", "zoe.mueller@example.com", new BigDecimal("12.50"));

        assertThat(masker.describe(order))
                .isEqualTo("PlaceOrder[orderId=o-1, card=****1234, email=***@example.com, total=12.50]");
    }

    @Test
    void shortCardsAndAddressesWithoutAtAreMaskedFully() {
        assertThat(masker.describe(new PlaceOrder("o-1", "1234", "no-at-sign", null)))
                .isEqualTo("PlaceOrder[orderId=o-1, card=***, email=***, total=null]");
        assertThat(masker.describe(new PlaceOrder("o-1", null, "trailing@", BigDecimal.ONE)))
                .isEqualTo("PlaceOrder[orderId=o-1, card=null, email=***, total=1]");
    }

    @Test
    void reachesNestedRecordsListsMapsOptionalsAndArrays() {
        Address home = new Address("Berlin", "Unter den Linden 1");
        Address work = new Address("Hamburg", "Jungfernstieg 7");
        Customer customer = new Customer("Zoë", "zoe@example.com", List.of(home, work), Optional.of(work),
                Map.of("home", home), new Address[] {work});

        String described = masker.describe(customer);

        assertThat(described).isEqualTo("Customer[name=Zoë, email=***@example.com, "
                + "addresses=[Address[city=Berlin, street=***], Address[city=Hamburg, street=***]], "
                + "billing=Optional[Address[city=Hamburg, street=***]], "
                + "byLabel={home=Address[city=Berlin, street=***]}, "
                + "history=[Address[city=Hamburg, street=***]]]");
        assertThat(masker.describe(new Wrapper(customer, "n"))).isEqualTo("Wrapper[customer=***, note=n]");
    }

    @Test
    void masksFieldsOfPlainClassesAndSurvivesCycles() {
        Node node = new Node();
        node.name = "root";
        node.secret = "hunter2-password";
        node.children.add(node);

        assertThat(masker.describe(node)).isEqualTo("Node[name=root, secret=***, children=[<cycle>]]");
    }

    @Test
    void boundsDepthAndLength() {
        Object nested = "leaf";
        for (int i = 0; i < 20; i++) {
            nested = List.of(nested);
        }
        assertThat(masker.describe(nested)).contains("...").doesNotContain("leaf");

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add("element-" + i);
        }
        String described = masker.describe(many);
        assertThat(described).contains("...(9950 more)");
        assertThat(masker.describe(List.of("x".repeat(10_000)))).hasSizeLessThan(SensitiveDataMasker.MAX_LENGTH + 20)
                .endsWith("...(truncated)");
    }

    @Test
    void describesScalarsAndNull() {
        assertThat(masker.describe(null)).isEqualTo("null");
        assertThat(masker.describe("text")).isEqualTo("text");
        assertThat(masker.describe(new byte[] {1, 2, 3})).isEqualTo("byte[3]");
        assertThat(masker.describe(new int[] {1, 2})).isEqualTo("[1, 2]");
        Map<String, Integer> map = new LinkedHashMap<>();
        map.put("a", 1);
        assertThat(masker.describe(map)).isEqualTo("{a=1}");
    }

    @Test
    void maskRemovesSensitiveValuesFromText() {
        PlaceOrder order = new PlaceOrder("o-1", "4111111111111234", "Zoe.Mueller@example.com", new BigDecimal("12.50"));
        String error = "payment declined for card 4111111111111234 (holder zoe.mueller@example.com), order o-1, total 12.50";

        assertThat(masker.mask(error, order)).isEqualTo(
                "payment declined for card ****1234 (holder ***@example.com), order o-1, total 12.50");
    }

    @Test
    void maskReachesNestedValuesAndWholeSensitiveStructures() {
        Address home = new Address("Berlin", "Unter den Linden 1");
        Customer customer = new Customer("Zoë", "zoe@example.com", List.of(home), Optional.empty(), Map.of(),
                new Address[0]);
        Wrapper wrapper = new Wrapper(customer, "note");

        assertThat(masker.mask("street Unter den Linden 1 in Berlin", customer)).isEqualTo("street *** in Berlin");
        // below a @Sensitive component every value is sensitive, whatever its own annotations say
        assertThat(masker.mask("Berlin, Unter den Linden 1, zoe@example.com; note", wrapper))
                .isEqualTo("***, ***, ***; note");
    }

    @Test
    void maskLeavesShortValuesAndUnrelatedTextAlone() {
        PlaceOrder order = new PlaceOrder("o-1", "123", "a@b", null);

        assertThat(masker.mask("code 123 a@b", order)).isEqualTo("code 123 a@b");
        assertThat(masker.mask(null, order)).isNull();
        assertThat(masker.mask("text", null)).isEqualTo("text");
    }

    @Test
    void maskFailureCopiesAChainThatQuotesASensitiveValueAndKeepsOthers() {
        PlaceOrder order = new PlaceOrder("o-1", "4111 1111 1111 1234", "jane@example.com", BigDecimal.ONE);
        IllegalStateException cause = new IllegalStateException("issuer refused 4111 1111 1111 1234");
        RuntimeException failure = new RuntimeException("cannot charge o-1", cause);
        failure.addSuppressed(new IllegalArgumentException("mail to jane@example.com bounced"));

        Throwable masked = masker.maskFailure(failure, order);

        assertThat(masked).isInstanceOf(MaskedFailure.class).hasMessage("cannot charge o-1");
        assertThat(masked.toString()).isEqualTo("java.lang.RuntimeException: cannot charge o-1");
        assertThat(masked.getStackTrace()).isEqualTo(failure.getStackTrace());
        assertThat(masked.getCause()).hasMessage("issuer refused ****1234");
        assertThat(((MaskedFailure) masked.getCause()).originalClassName()).isEqualTo("java.lang.IllegalStateException");
        assertThat(masked.getSuppressed()[0]).hasMessage("mail to ***@example.com bounced");
        java.io.StringWriter printed = new java.io.StringWriter();
        masked.printStackTrace(new java.io.PrintWriter(printed));
        assertThat(printed.toString()).contains("Caused by: java.lang.IllegalStateException: issuer refused ****1234")
                .doesNotContain("1111 1234", "jane@");

        RuntimeException harmless = new RuntimeException("cannot charge o-1");
        assertThat(masker.maskFailure(harmless, order)).isSameAs(harmless);
        assertThat(masker.maskFailure(failure, null)).isSameAs(failure);
        assertThat(masker.maskFailure(null, order)).isNull();
    }
}
