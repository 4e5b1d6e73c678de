package io.kickoff.launcher;

import java.net.BindException;

/**
 * What a command that fails says: one line on stderr naming the cause, and an exit code from the README's table. The
 * stack trace is for the log, at DEBUG ({@code KICKOFF_LOG_LEVEL=DEBUG}), never for the terminal.
 *
 * @param exitCode {@link #DEPENDENCY} or {@link #USAGE}
 * @param line     the one line, without the {@code kickoff: } prefix
 */
record CommandFailure(int exitCode, String line) {
    /** Something the command depends on is missing or broken (a broker, Redis, a readable catalog), or the run failed. */
    static final int DEPENDENCY = 1;
    /** A usage or settings error: the user's to fix (a bad value, a taken port, a missing directory). */
    static final int USAGE = 2;

    static CommandFailure of(Throwable e) {
        // Bad settings (a short secret, a missing catalog directory) are the user's to fix.
        if (e instanceof IllegalArgumentException) {
            return new CommandFailure(USAGE, oneLine(e.getMessage()));
        }
        // A port taken between the check and the bind (or a bind refused for another reason).
        String bindFailure = bindFailure(e);
        if (bindFailure != null) {
            return new CommandFailure(USAGE, "cannot listen: " + oneLine(bindFailure));
        }
        // Something we depend on did not come up, said by the code that found out.
        if (e instanceof IllegalStateException && e.getMessage() != null) {
            return new CommandFailure(DEPENDENCY, oneLine(e.getMessage()));
        }
        // Anything else (an I/O error, a client library's exception): its message and the innermost cause's.
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String line = describe(e);
        if (root != e) {
            line += " (" + describe(root) + ")";
        }
        return new CommandFailure(DEPENDENCY, oneLine(line));
    }

    /** The message of a failed bind anywhere in the causes (NIO's BindException or the native transport's), or null. */
    static String bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof BindException
                    || (message != null && (message.contains("Address already in use") || message.contains("bind(")))) {
                return message;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** A message with line breaks (a child process's output, say) still reads as one line. */
    static String oneLine(String message) {
        return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", " | ");
    }
}
