package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogOutputTest {
    @Test
    void jsonWritesOneObjectPerLineWithLevelLoggerAndMessage() throws Exception {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern("%msg%n");
        text.start();
        appender.setEncoder(text);
        appender.setOutputStream(bytes);
        appender.start();
        Logger logger = context.getLogger("io.kickoff.test");
        logger.setAdditive(false);
        logger.addAppender(appender);

        LogOutput.writeJson(appender);
        // A console appender reopens stderr when it starts again; this one needs its stream given back.
        appender.setOutputStream(bytes);
        appender.start();
        logger.warn("gateway {} is draining", "gw-1");

        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonNode event = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(event.get("level").asText()).isEqualTo("WARN");
        assertThat(event.get("loggerName").asText()).isEqualTo("io.kickoff.test");
        assertThat(event.get("formattedMessage").asText()).isEqualTo("gateway gw-1 is draining");
    }

    @Test
    void theLogFormatOptionIsOfferedByEveryCommandAndRefusesOtherFormats() {
        KickoffCliTest.Run help = KickoffCliTest.run("token", "--help");
        assertThat(help.out()).contains("--log-format=FORMAT");
        KickoffCliTest.Run bad = KickoffCliTest.run("token", "--log-format", "xml", "--device", "d", "--segment", "s");
        assertThat(bad.exitCode()).isEqualTo(CommandFailure.USAGE);
        assertThat(bad.err()).contains("--log-format").contains("text, json");
    }
}
