package io.sourceflow.aws.kms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pins the byte layouts documented in docs/wire-format.md, section 10. */
class BindingTest {

    @Test
    void associatedDataIsTheDocumentedLengthPrefixedFields() {
        byte[] aad = Binding.associatedData(new EncryptionContext("m-1", "t.A", "q"));

        String expected = "00000019" + hex("sourceflow-encrypted-data") + "00000001" + hex("1")
                + "0000000b" + hex("AES-256-GCM") + "00000003" + hex("m-1") + "00000003" + hex("t.A")
                + "00000001" + hex("q");
        assertThat(HexFormat.of().formatHex(aad)).isEqualTo(expected);
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        assertThat(Binding.associatedData(new EncryptionContext("ab", "c", "q")))
                .isNotEqualTo(Binding.associatedData(new EncryptionContext("a", "bc", "q")));
    }

    @Test
    void associatedDataEncodesNonAsciiAsUtf8() {
        byte[] aad = Binding.associatedData(new EncryptionContext("m", "t", "ü"));
        assertThat(HexFormat.of().formatHex(aad)).endsWith("00000002c3bc");
    }

    @Test
    void kmsContextHoldsOnlyWhatIsConstantPerDataKey() {
        assertThat(Binding.kmsContext("orders.fifo"))
                .isEqualTo(Map.of("sourceflow.v", "1", "sourceflow.destination", "orders.fifo"));
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
