package io.sourceflow.aws.kms;

import static org.assertj.core.api.Assertions.assertThat;

import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import io.sourceflow.wire.CloudEvent;
import io.sourceflow.wire.CloudEventCodec;
import jakarta.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The Python decryption documented in docs/wire-format.md (docs/examples/sourceflow_decrypt.py)
 * decrypts what MessageEncryptor writes. Needs python3 with boto3 and cryptography (moto's own
 * dependencies); skipped without them.
 */
@ExtendWith(MotoExtension.class)
class PythonInteropTest {

    private static final Path SCRIPT = Path.of("..", "docs", "examples", "sourceflow_decrypt.py");

    @Test
    void pythonConsumerDecryptsWhatJavaEncrypted(MotoServer moto) throws Exception {
        Assumptions.assumeTrue(pythonHas("boto3, cryptography"), "python3 with boto3 and cryptography is needed");
        String data = "{\"customer\":\"Zoë Müller 😀\",\"orderId\":\"order-42\",\"total\":12345678901234567890.123456789}";
        try (KmsClient kms = KmsTestKit.kms(moto)) {
            String alias = KmsTestKit.createKeyWithAlias(kms, "python");
            MessageEncryptor encryptor = new MessageEncryptor(kms, KmsTestKit.cached(alias), Clock.systemUTC());
            EncryptionContext context = KmsTestKit.context("orders.fifo");
            String body = new CloudEventCodec(CloudEventCodec.defaultJsonb()).write(new CloudEvent(context.messageId(),
                    context.messageType(), "/sourceflow/orders-service", Instant.now(), "order-42",
                    MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE, null, null, null, encryptor.encrypt(data, context)));
            String request = Json.createObjectBuilder()
                    .add("event", Json.createReader(new java.io.StringReader(body)).readObject())
                    .add("destination", "orders.fifo")
                    .add("endpoint", moto.endpoint().toString())
                    .build().toString();

            Process python = new ProcessBuilder("python3", SCRIPT.toString()).redirectErrorStream(true).start();
            try (OutputStream in = python.getOutputStream()) {
                in.write(request.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(python.exitValue()).as(output).isZero();
            assertThat(output).isEqualTo(data);
        }
    }

    private static boolean pythonHas(String modules) {
        if (!Files.isRegularFile(SCRIPT)) {
            throw new IllegalStateException("missing " + SCRIPT.toAbsolutePath());
        }
        try {
            Process p = new ProcessBuilder("python3", "-c", "import " + modules)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
