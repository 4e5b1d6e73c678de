package io.kickoff.launcher;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes as people write it: {@code 512}, {@code 64KiB}, {@code 1MiB}, {@code 2GiB} (binary units; {@code KB},
 * {@code MB}, {@code GB} are read as the same binary units, as most tools do). Every size option takes it.
 */
record ByteSize(long bytes) {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size must not be negative: " + bytes);
        }
    }

    static ByteSize parse(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write e.g. 512, 64KiB, 1MiB or 2GiB");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        return new ByteSize(Math.multiplyExact(amount, factor));
    }

    /** The size as an int, for settings that are ints. */
    int asInt(String option) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " is at most 2GiB - 1, got " + this);
        }
        return (int) bytes;
    }

    @Override
    public String toString() {
        for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
            long factor = unit.equals("GiB") ? 1L << 30 : unit.equals("MiB") ? 1L << 20 : 1L << 10;
            if (bytes >= factor && bytes % factor == 0) {
                return bytes / factor + unit;
            }
        }
        return Long.toString(bytes);
    }
}
