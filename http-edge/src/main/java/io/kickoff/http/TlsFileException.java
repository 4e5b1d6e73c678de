package io.kickoff.http;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A certificate or key file a TLS server cannot use: the message names the file and what is wrong with it, in one
 * line (an {@link IllegalArgumentException}: a setting for the operator to fix).
 */
public final class TlsFileException extends IllegalArgumentException {
    private final transient Path file;

    public TlsFileException(Path file, String problem) {
        super(Objects.requireNonNull(file, "file") + " " + problem);
        this.file = file;
    }

    public TlsFileException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + " " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    static String reason(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
