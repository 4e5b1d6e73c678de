package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepTest {
    /** A step that passes short words on and refuses long ones by throwing. */
    static final class ShortWords extends Step<String> {
        final List<String> refused = new ArrayList<>();

        ShortWords() {
            super(String.class);
        }

        @Override
        protected void step(ChannelHandlerContext ctx, String word) {
            if (word.length() > 3) {
                throw new IllegalArgumentException("too long: " + word);
            }
            ctx.fireChannelRead(word.toUpperCase());
        }

        @Override
        protected void failed(String word, RuntimeException error) {
            refused.add(word + ": " + error.getMessage());
        }
    }

    @Test
    void passesOnWhatItAcceptsAndAnswersWhatItThrowsOn() {
        ShortWords step = new ShortWords();
        EmbeddedChannel channel = new EmbeddedChannel(step);

        channel.writeInbound("abc", "abcd", 42);

        assertThat((Object) channel.readInbound()).isEqualTo("ABC");
        assertThat((Object) channel.readInbound()).isEqualTo(42);
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(step.refused).containsExactly("abcd: too long: abcd");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }
}
