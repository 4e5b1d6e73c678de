package io.kickoff.audience;

/**
 * Composite store keys. Parts are joined by NUL, which ids may not contain (such signals are dropped), and times are
 * zero-padded so that the lexicographic order of the stores is time order.
 */
final class StoreKeys {
    static final char SEP = '\u0000';

    private StoreKeys() {
    }

    static boolean legalPart(String part) {
        return part.indexOf(SEP) < 0;
    }

    static String join(String a, String b) {
        return a + SEP + b;
    }

    static String time(long ms) {
        return String.format("%019d", Math.max(0, ms));
    }

    /** The smallest key after every key starting with {@code prefix + SEP}. */
    static String afterPrefix(String prefix) {
        return prefix + '\u0001';
    }
}
