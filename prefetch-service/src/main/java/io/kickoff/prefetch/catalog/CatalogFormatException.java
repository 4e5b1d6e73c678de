package io.kickoff.prefetch.catalog;

/** The catalog input is malformed: bad JSON, a missing field, a duplicate id or a dangling reference. */
public class CatalogFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CatalogFormatException(String message) {
        super(message);
    }

    public CatalogFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
