package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One stage update encoded per bundle version, and the references it holds. */
class StageFramesTest {
    static final BundleVersions HELD = eventId -> Map.of("us-en", "v-us", "br-pt", "v-us", "fr-fr", "v-fr");

    static String versionIn(ByteBuf view, WireFormat format) throws Exception {
        return Fixtures.decode(format, view).getStageUpdate().getBundleVersion(); // releases the view
    }

    @Test
    void eachDeviceIsToldTheVersionOfItsSegmentEncodedOncePerVersion() throws Exception {
        StageFrames frames = StageFrames.encode(update("final", Stage.LIVE, 1), HELD);
        try {
            assertThat(frames.forSegment("br-pt")).as("same version, same bytes").isSameAs(frames.forSegment("us-en"));
            assertThat(frames.forSegment("fr-fr")).isNotSameAs(frames.forSegment("us-en"));
            assertThat(frames.forSegment("de-de")).isNotSameAs(frames.forSegment("us-en"))
                    .isNotSameAs(frames.forSegment("fr-fr"));
            for (WireFormat format : WireFormat.values()) {
                assertThat(versionIn(frames.forSegment("us-en").retainedFrame(format), format)).isEqualTo("v-us");
                assertThat(versionIn(frames.forSegment("br-pt").retainedFrame(format), format)).isEqualTo("v-us");
                assertThat(versionIn(frames.forSegment("fr-fr").retainedFrame(format), format)).isEqualTo("v-fr");
                assertThat(versionIn(frames.forSegment("de-de").retainedFrame(format), format)).isEmpty();
            }
        } finally {
            frames.release();
        }
    }

    @Test
    void aSegmentedUpdateNamesOnlyItsAudiencesBundles() throws Exception {
        StageFrames frames = StageFrames.encode(update("semi", Stage.LIVE, 1, "us-en"), HELD);
        try {
            assertThat(versionIn(frames.forSegment("us-en").retainedFrame(WireFormat.JSON), WireFormat.JSON))
                    .isEqualTo("v-us");
            assertThat(frames.forSegment("fr-fr")).as("not in the audience: not encoded with its version")
                    .isSameAs(frames.forSegment("de-de"));
        } finally {
            frames.release();
        }
    }

    @Test
    void everyEncodingIsGivenBackWhenTheLastHolderAndTheLastViewAreDone() {
        StageFrames frames = StageFrames.encode(update("final", Stage.LIVE, 1), HELD);
        ByteBuf us = frames.forSegment("us-en").retainedFrame(WireFormat.PROTOBUF);
        ByteBuf fr = frames.forSegment("fr-fr").retainedFrame(WireFormat.JSON);
        ByteBuf none = frames.forSegment("de-de").retainedFrame(WireFormat.PROTOBUF);
        ByteBuf usMemory = Fixtures.memoryOf(us);
        ByteBuf frMemory = Fixtures.memoryOf(fr);
        ByteBuf noneMemory = Fixtures.memoryOf(none);

        // Two event loops take their own references; the broadcaster lets go of its own at once.
        frames.retain();
        frames.retain();
        frames.release();
        frames.release();
        assertThat(usMemory.refCnt()).as("one loop is still walking its devices").isEqualTo(2);
        frames.release();
        assertThat(frames.refCnt()).isZero();
        assertThat(usMemory.refCnt()).as("only the device's view").isEqualTo(1);
        assertThat(frMemory.refCnt()).isEqualTo(1);
        assertThat(noneMemory.refCnt()).isEqualTo(1);

        us.release();
        fr.release();
        none.release();
        assertThat(usMemory.refCnt()).isZero();
        assertThat(frMemory.refCnt()).isZero();
        assertThat(noneMemory.refCnt()).isZero();
    }
}
