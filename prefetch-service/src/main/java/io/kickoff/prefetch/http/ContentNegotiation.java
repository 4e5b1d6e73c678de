package io.kickoff.prefetch.http;

import io.kickoff.protocol.WireFormat;
import java.util.Locale;
import java.util.Optional;

/** Picks the response format from an {@code Accept} header. */
final class ContentNegotiation {
    static final String PROTOBUF_TYPE = "application/x-protobuf";
    static final String JSON_TYPE = "application/json";

    private ContentNegotiation() {
    }

    /**
     * The format with the highest q (ties: the earlier one). No header, {@code *}/{@code *} or
     * {@code application/*} mean protobuf, the device default. Empty if nothing offered is acceptable.
     */
    static Optional<WireFormat> negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return Optional.of(WireFormat.PROTOBUF);
        }
        WireFormat best = null;
        double bestQ = 0;
        for (String part : accept.split(",")) {
            String[] pieces = part.split(";");
            String type = pieces[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            WireFormat format = switch (type) {
                case PROTOBUF_TYPE, "application/protobuf", "application/vnd.google.protobuf",
                     "application/*", "*/*" -> WireFormat.PROTOBUF;
                case JSON_TYPE -> WireFormat.JSON;
                default -> null;
            };
            if (format != null && q > bestQ) {
                best = format;
                bestQ = q;
            }
        }
        return Optional.ofNullable(best);
    }
}
