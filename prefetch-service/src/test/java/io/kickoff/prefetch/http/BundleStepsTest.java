package io.kickoff.prefetch.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.http.RetryAfter;
import io.kickoff.protocol.token.DeviceTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bundle API's steps one at a time, in an {@link EmbeddedChannel}: what each passes on and what it answers. */
class BundleStepsTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final BundleAnswers answers = new BundleAnswers(RetryAfter.between(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    final DeviceTokens tokens = DeviceTokens.withSecret(BundleServerTest.SECRET);
    EmbeddedChannel channel;

    @AfterEach
    void finish() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    static BundleCall call(HttpMethod method, String uri, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        QueryStringDecoder decoded = new QueryStringDecoder(uri);
        return new BundleCall(method, decoded.path(), decoded.parameters(), h);
    }

    /** Runs {@code call} through {@code steps}; returns it if the last step passed it on, else null. */
    BundleCall run(BundleCall call, ChannelHandler... steps) {
        channel = new EmbeddedChannel(steps);
        channel.writeInbound(call);
        return channel.readInbound();
    }

    static FullHttpResponse answered(BundleCall call) {
        assertThat(call.answer()).isCompleted();
        return call.answer().join();
    }

    static String text(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    // ---------------------------------------------------------------- route

    @Test
    void routingAnswers404And405WithAllow() {
        BundleRouting routing = new BundleRouting(BundleRoutes.table());
        BundleCall unknown = call(HttpMethod.GET, "/v1/nope");
        assertThat(run(unknown, routing)).isNull();
        assertThat(answered(unknown).status().code()).isEqualTo(404);
        text(answered(unknown));

        BundleCall post = call(HttpMethod.POST, "/v1/bundles");
        assertThat(run(post, routing)).isNull();
        FullHttpResponse refused = answered(post);
        assertThat(refused.status().code()).isEqualTo(405);
        assertThat(refused.headers().get("Allow")).isEqualTo("GET");
        assertThat(text(refused)).isEqualTo("use GET\n");

        BundleCall probe = call(HttpMethod.POST, "/healthz");
        assertThat(run(probe, routing)).isNull();
        assertThat(answered(probe).headers().get("Allow")).isEqualTo("GET, HEAD");
        text(answered(probe));

        assertThat(run(call(HttpMethod.HEAD, "/readyz"), routing).route().route().handler())
                .isEqualTo(BundleRoutes.Endpoint.READY);
    }

    // ---------------------------------------------------------------- shed

    @Test
    void aPermitIsHeldUntilTheCallIsAnswered() {
        PriorityLimiter limiter = new PriorityLimiter(1, 0);
        LoadShedding shedding = new LoadShedding(limiter, answers, registry, "m");
        BundleCall admitted = run(call(HttpMethod.GET, "/v1/bundles"), shedding);
        assertThat(admitted).isNotNull();
        assertThat(limiter.inFlight()).isEqualTo(1);

        BundleCall shed = call(HttpMethod.GET, "/v1/bundles", "X-Priority", "prefetch");
        assertThat(run(shed, shedding)).isNull();
        FullHttpResponse overloaded = answered(shed);
        assertThat(overloaded.status().code()).isEqualTo(503);
        assertThat(overloaded.headers().get("Retry-After")).isEqualTo("2");
        text(overloaded);
        assertThat(registry.counter("m.shed", "priority", "prefetch").count()).isEqualTo(1);

        admitted.fail(new IllegalStateException("a later step failed"));
        assertThat(limiter.inFlight()).isZero();
    }

    // ---------------------------------------------------------------- authenticate

    @Test
    void theSegmentComesFromTheTokenFirst() {
        DeviceAuthentication auth = new DeviceAuthentication(tokens, true, Set.of("teen", "adult")::contains);
        String token = tokens.issue("device-1", "adult", Duration.ofHours(1));

        assertThat(run(call(HttpMethod.GET, "/v1/bundles?segment=teen", "Authorization", "Bearer " + token), auth)
                .segment()).isEqualTo("adult");
        assertThat(run(call(HttpMethod.GET, "/v1/bundles?segment=teen"), auth).segment()).isEqualTo("teen");
    }

    @Test
    void refusesMissingAndBadCredentials() {
        DeviceAuthentication auth = new DeviceAuthentication(tokens, true, Set.of("teen")::contains);
        for (BundleCall bad : new BundleCall[] {call(HttpMethod.GET, "/v1/bundles"),
                call(HttpMethod.GET, "/v1/bundles", "Authorization", "Basic x"),
                call(HttpMethod.GET, "/v1/bundles", "Authorization", "Bearer not-a-token")}) {
            assertThat(run(bad, auth)).isNull();
            FullHttpResponse refused = answered(bad);
            assertThat(refused.status().code()).isEqualTo(401);
            assertThat(refused.headers().get("WWW-Authenticate")).isEqualTo("Bearer");
            text(refused);
        }
        for (String uri : new String[] {"/v1/bundles?segment=ghost", "/v1/bundles?segment=teen&segment=teen",
                "/v1/bundles?segment=a%20b"}) {
            BundleCall bad = call(HttpMethod.GET, uri);
            assertThat(run(bad, auth)).as(uri).isNull();
            assertThat(text(answered(bad))).isEqualTo("unknown or malformed segment\n");
        }
        DeviceAuthentication tokensOnly = new DeviceAuthentication(tokens, false, Set.of("teen")::contains);
        BundleCall query = call(HttpMethod.GET, "/v1/bundles?segment=teen");
        assertThat(run(query, tokensOnly)).isNull();
        assertThat(text(answered(query))).isEqualTo("no device token\n");
    }

    // ---------------------------------------------------------------- negotiate

    @Test
    void anUnacceptableFormatIs406() {
        BundleCall html = call(HttpMethod.GET, "/v1/bundles", "Accept", "text/html");
        assertThat(run(html, new FormatNegotiation())).isNull();
        assertThat(answered(html).status().code()).isEqualTo(406);
        text(answered(html));
        assertThat(run(call(HttpMethod.GET, "/v1/bundles", "Accept", "application/json"), new FormatNegotiation())
                .format()).isEqualTo(io.kickoff.protocol.WireFormat.JSON);
    }
}
