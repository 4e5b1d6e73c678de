package io.kickoff.prefetch.catalog;

/** A producer cycle was rejected by a validator (e.g. a record-count swing); the version was not announced. */
public class CatalogValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CatalogValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
