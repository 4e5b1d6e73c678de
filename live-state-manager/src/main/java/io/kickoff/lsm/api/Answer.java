package io.kickoff.lsm.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kickoff.lsm.idempotency.StoredResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete HTTP answer of the admin API, ready to write (or to store for an idempotent retry). */
record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    Answer {
        headers = Map.copyOf(headers);
    }

    static Answer json(int status, Object body) {
        return new Answer(status, JSON, Json.write(body), Map.of());
    }

    static Answer text(int status, String contentType, String body) {
        return new Answer(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Answer problem(Problem problem, Map<String, String> headers) {
        return new Answer(problem.status(), Problem.MEDIA_TYPE, Json.write(problem), headers);
    }

    Answer withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Answer(status, contentType, body, more);
    }

    String etag() {
        return headers.get("ETag");
    }

    StoredResponse stored(String requestHash) {
        return new StoredResponse(requestHash, status, contentType, etag() == null ? "" : etag(), body);
    }

    /** Same status, type, ETag and body: the same answer, whoever produced it. */
    boolean sameAs(StoredResponse stored) {
        return stored.status() == status && stored.contentType().equals(contentType)
                && stored.etag().equals(etag() == null ? "" : etag()) && Arrays.equals(stored.body(), body);
    }

    /** A stored answer, replayed: its Location is derived again (201 answers carry the new event). */
    static Answer replay(StoredResponse stored) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (stored.etag() != null && !stored.etag().isEmpty()) {
            headers.put("ETag", stored.etag());
        }
        if (stored.status() == 201) {
            try {
                JsonNode id = Json.MAPPER.readTree(stored.body()).get("id");
                if (id != null && id.isTextual()) {
                    headers.put("Location", Views.location(id.textValue()));
                }
            } catch (java.io.IOException ignored) {
                // a stored body is always JSON; without it there is just no Location
            }
        }
        headers.put("Idempotent-Replayed", "true");
        return new Answer(stored.status(), stored.contentType(), stored.body(), headers);
    }

    /** The HTTP response; answers of the API ({@code api}, not the probes) are never to be cached. */
    FullHttpResponse response(boolean api) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.forEach((name, value) -> response.headers().set(name, value));
        if (api) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        return response;
    }
}
