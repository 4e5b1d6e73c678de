package io.kickoff.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

/**
 * What the log on stderr looks like: text lines by default ({@code logback.xml}), one JSON object per line with
 * {@code --log-format json} (for log shippers), and only warnings during commands whose output is a result
 * ({@code lsm-bench}) unless {@code KICKOFF_LOG_LEVEL} asks for more.
 */
final class LogOutput {
    /** The appender of {@code logback.xml}. */
    private static final String APPENDER = "STDERR";

    enum Format { text, json }

    private LogOutput() {
    }

    static void use(Format format) {
        if (format != Format.json || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(APPENDER) instanceof OutputStreamAppender<ILoggingEvent> stderr) {
            writeJson(stderr);
        }
    }

    /** Makes {@code appender} write one JSON object per event. */
    static void writeJson(OutputStreamAppender<ILoggingEvent> appender) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(appender.getContext());
        encoder.setWithFormattedMessage(true); // the line as text, beside the pattern and its arguments
        encoder.start();
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
    }

    /** Warnings and errors only, unless {@code KICKOFF_LOG_LEVEL} is set: the command's output is its result. */
    static void quietUnlessAsked() {
        if (System.getenv("KICKOFF_LOG_LEVEL") == null && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        }
    }
}
