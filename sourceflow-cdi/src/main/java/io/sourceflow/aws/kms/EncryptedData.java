package io.sourceflow.aws.kms;

import jakarta.json.JsonException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The encrypted-data envelope of wire format 1 (docs/wire-format.md, section 10):
 * {@code {"v":1,"alg":"AES-256-GCM","kid":"<key ARN>","edk":"<b64>","iv":"<b64>","ct":"<b64>"}}.
 *
 * @param kid the ARN of the KMS key that wrapped the data key, as KMS returned it
 * @param edk the encrypted (wrapped) data key, KMS {@code CiphertextBlob}
 * @param iv  the 12-byte GCM nonce
 * @param ct  the ciphertext followed by the 16-byte GCM tag
 */
record EncryptedData(String kid, byte[] edk, byte[] iv, byte[] ct) {

    static final int VERSION = 1;
    static final String ALGORITHM = "AES-256-GCM";
    static final int IV_BYTES = 12;
    static final int TAG_BYTES = 16;

    String toJson() {
        Base64.Encoder b64 = Base64.getEncoder();
        StringBuilder out = new StringBuilder(64 + kid.length() + (edk.length + ct.length + iv.length) * 4 / 3 + 12);
        out.append("{\"v\":").append(VERSION)
                .append(",\"alg\":\"").append(ALGORITHM)
                .append("\",\"kid\":");
        appendQuoted(out, kid);
        out.append(",\"edk\":\"").append(b64.encodeToString(edk))
                .append("\",\"iv\":\"").append(b64.encodeToString(iv))
                .append("\",\"ct\":\"").append(b64.encodeToString(ct))
                .append("\"}");
        return out.toString();
    }

    /** Reads envelopes; thread-safe. */
    static final class Reader {

        private final JsonParserFactory parsers = JsonProvider.provider().createParserFactory(Map.of());

        /**
         * @throws DecryptionFailedException if the text is not a well-formed envelope of a version and
         *                                   algorithm this code supports
         */
        EncryptedData read(String json) throws DecryptionFailedException {
            if (json == null || json.isBlank()) {
                throw malformed("the encrypted data is empty");
            }
            Map<String, Object> members = new HashMap<>();
            try (JsonParser parser = parsers.createParser(new StringReader(json))) {
                if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                    throw malformed("the encrypted data is not a JSON object");
                }
                while (true) {
                    JsonParser.Event event = parser.next();
                    if (event == JsonParser.Event.END_OBJECT) {
                        break;
                    }
                    String name = parser.getString(); // KEY_NAME
                    Object value = switch (parser.next()) {
                        case VALUE_STRING -> parser.getString();
                        case VALUE_NUMBER -> parser.getBigDecimal();
                        case START_OBJECT -> skip(parser, parser::skipObject);
                        case START_ARRAY -> skip(parser, parser::skipArray);
                        default -> Boolean.TRUE; // true/false/null: only wrong for known members
                    };
                    if (members.put(name, value) != null) {
                        throw malformed("the encrypted data has the member \"" + safeName(name) + "\" twice");
                    }
                }
                if (parser.hasNext()) {
                    throw malformed("the encrypted data has content after the JSON object");
                }
            } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
                throw malformed("the encrypted data is not well-formed JSON (" + e.getClass().getSimpleName() + ")");
            }
            Object version = members.get("v");
            if (!(version instanceof BigDecimal v) || v.compareTo(BigDecimal.valueOf(VERSION)) != 0) {
                throw new DecryptionFailedException("unsupported encrypted-data envelope version "
                        + (version instanceof BigDecimal v2 ? v2.toPlainString() : "(missing)")
                        + ": this consumer reads version " + VERSION + "; upgrade SourceFlow to read newer envelopes");
            }
            if (!ALGORITHM.equals(members.get("alg"))) {
                throw malformed("unsupported algorithm (\"alg\" must be \"" + ALGORITHM + "\")");
            }
            String kid = string(members, "kid");
            byte[] edk = base64(members, "edk");
            byte[] iv = base64(members, "iv");
            byte[] ct = base64(members, "ct");
            if (edk.length == 0) {
                throw malformed("\"edk\" is empty");
            }
            if (iv.length != IV_BYTES) {
                throw malformed("\"iv\" must be " + IV_BYTES + " bytes, was " + iv.length);
            }
            if (ct.length < TAG_BYTES) {
                throw malformed("\"ct\" is shorter than the " + TAG_BYTES + "-byte authentication tag");
            }
            return new EncryptedData(kid, edk, iv, ct);
        }

        private static Object skip(JsonParser parser, Runnable skipper) {
            skipper.run();
            return Boolean.FALSE;
        }

        private static String string(Map<String, Object> members, String name) throws DecryptionFailedException {
            if (!(members.get(name) instanceof String s) || s.isBlank()) {
                throw malformed("\"" + name + "\" is missing or not a non-blank string");
            }
            return s;
        }

        private static byte[] base64(Map<String, Object> members, String name) throws DecryptionFailedException {
            String text = string(members, name);
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw malformed("\"" + name + "\" is not Base64 (RFC 4648, standard alphabet)");
            }
        }

        private static String safeName(String name) {
            // member names come from the wire: keep them short and printable in the message
            String shortened = name.length() > 16 ? name.substring(0, 16) + "..." : name;
            return shortened.replaceAll("[^\\p{Alnum}_.-]", "?");
        }

        private static DecryptionFailedException malformed(String what) {
            return new DecryptionFailedException("malformed encrypted-data envelope: " + what);
        }
    }

    private static void appendQuoted(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
