package io.kickoff.prefetch.http;

import io.kickoff.http.BearerToken;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.token.TokenException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Says whose bundles: the segment of the device token ({@code Authorization: Bearer}), or, if the config allows it
 * and no token is sent, {@code ?segment=} (400 unless one known, well-formed segment). 401 with a
 * {@code WWW-Authenticate: Bearer} challenge for a missing or bad token.
 */
@ChannelHandler.Sharable
final class DeviceAuthentication extends BundleStep {
    static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final DeviceTokens tokens;
    private final boolean allowSegmentQuery;
    private final Predicate<String> knownSegment;

    DeviceAuthentication(DeviceTokens tokens, boolean allowSegmentQuery, Predicate<String> knownSegment) {
        this.tokens = tokens;
        this.allowSegmentQuery = allowSegmentQuery;
        this.knownSegment = knownSegment;
    }

    @Override
    protected void step(ChannelHandlerContext ctx, BundleCall call) {
        String authorization = call.header(HttpHeaderNames.AUTHORIZATION);
        List<String> segmentParam = call.query().get("segment");
        if (authorization != null) {
            DeviceClaims claims;
            try {
                claims = tokens.verify(BearerToken.from(authorization).presented().orElse(""));
            } catch (TokenException e) {
                call.answer(BundleAnswers.unauthorized(e.getMessage()));
                return;
            }
            call.segment(claims.segment());
        } else if (allowSegmentQuery && segmentParam != null) {
            String segment = segmentParam.get(0);
            if (segmentParam.size() != 1 || !SEGMENT.matcher(segment).matches() || !knownSegment.test(segment)) {
                call.answer(BundleAnswers.badSegment());
                return;
            }
            call.segment(segment);
        } else {
            call.answer(BundleAnswers.unauthorized("no device token"));
            return;
        }
        ctx.fireChannelRead(call);
    }
}
