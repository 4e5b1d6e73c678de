package io.kickoff.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Raw bytes in, parsed responses out, for edge handlers in an {@link EmbeddedChannel}. */
final class EdgeChannels {
    private EdgeChannels() {
    }

    static void writeText(EmbeddedChannel channel, String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** Every response written so far, parsed (the caller releases them). */
    static List<FullHttpResponse> responses(EmbeddedChannel channel) {
        EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
        // the client codec expects a request before each response
        List<FullHttpResponse> out = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) {
                client.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpRequest(
                        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, "/"));
                ReferenceCountUtil.release(client.readOutbound());
                client.writeInbound(b);
            } else {
                ReferenceCountUtil.release(o);
            }
        }
        for (Object o; (o = client.readInbound()) != null; ) {
            out.add((FullHttpResponse) o);
        }
        client.finishAndReleaseAll();
        return out;
    }

    static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    static void releaseAll(List<? extends Object> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }
}
