package dev.walletledger.http.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.walletledger.runtime.JsonText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The one Jackson configuration of the server: strict reading (duplicate keys, trailing tokens, floats
 * kept exact as BigDecimal, bounded nesting, string and number lengths) and deterministic writing.
 */
public final class Json {
    /** Deeper than any valid request (metadata may nest 8 levels inside a batch operation). */
    public static final int NESTING_MAX = 32;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(NESTING_MAX)
                            .maxNumberLength(1_000)
                            .maxStringLength(70_000)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /** Parses one JSON document; never returns null. */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new MalformedJsonException("the request body is empty; send a JSON object");
        }
        try (JsonParser parser = MAPPER.createParser(body)) {
            JsonNode node = MAPPER.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("the request body holds no JSON value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedJsonException(describe(e));
        } catch (IOException e) {
            throw new MalformedJsonException("the request body could not be read as JSON");
        } catch (NumberFormatException | ArithmeticException e) {
            // A number Jackson tokenizes but cannot represent (an exponent with a hundred digits).
            throw new MalformedJsonException("the request body holds a number that cannot be represented");
        }
    }

    /**
     * Our own words for a parse failure, with its position: the parser's message names library classes
     * and features, which mean nothing to a client. A duplicate key is named (the client sent it).
     */
    private static String describe(JsonProcessingException failure) {
        String original = failure.getOriginalMessage() == null ? "" : failure.getOriginalMessage();
        JsonLocation location = failure.getLocation();
        String where = location == null || location.getLineNr() < 0
                ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        if (original.startsWith("Duplicate field '")) {
            int end = original.indexOf('\'', "Duplicate field '".length());
            String key = end < 0 ? "" : original.substring("Duplicate field '".length(), end);
            return "the request body has the key \"" + (key.length() > 100 ? key.substring(0, 100) + "..." : key)
                    + "\" twice" + where;
        }
        if (failure instanceof StreamConstraintsException) {
            return "the request body exceeds a JSON limit (nesting depth, number or string length)" + where;
        }
        if (original.contains("Trailing token")) {
            return "the request body holds more than one JSON value" + where;
        }
        return "the request body is not valid JSON" + where;
    }

    public static String timestamp(Instant instant) {
        return JsonText.timestamp(instant);
    }

    /** Writes a document with a fixed field order chosen by {@code body}. */
    public static byte[] write(BodyWriter body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = MAPPER.getFactory().createGenerator(out)) {
            body.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory fails only on a bug
        }
        return out.toByteArray();
    }

    /** Writes any plain value (maps, lists, strings, numbers, booleans) as Jackson does. */
    static void writeValue(JsonGenerator generator, Object value) throws IOException {
        MAPPER.writeValue(generator, value);
    }

    @FunctionalInterface
    public interface BodyWriter {
        void write(JsonGenerator generator) throws IOException;
    }
}
