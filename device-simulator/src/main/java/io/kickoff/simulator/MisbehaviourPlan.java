package io.kickoff.simulator;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which devices of a fleet misbehave, and how: each kind gets {@code round(share × devices)} devices
 * (at least one for a share above 0), taken from the end of the index range in declaration order of
 * {@link Misbehaviour}, so devices {@code 0..} behave and a fleet's layout is reproducible.
 *
 * @param shares kind → fraction of the fleet in (0, 1]; together at most 1
 */
public record MisbehaviourPlan(Map<Misbehaviour, Double> shares) {
    public static final MisbehaviourPlan NONE = new MisbehaviourPlan(Map.of());

    public MisbehaviourPlan {
        Objects.requireNonNull(shares, "shares");
        EnumMap<Misbehaviour, Double> copy = new EnumMap<>(Misbehaviour.class);
        double total = 0;
        for (Map.Entry<Misbehaviour, Double> share : shares.entrySet()) {
            double value = Objects.requireNonNull(share.getValue(), "share");
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException("share of " + share.getKey().label() + " must be in (0, 1], got " + value);
            }
            total += value;
            copy.put(Objects.requireNonNull(share.getKey(), "misbehaviour"), value);
        }
        if (total > 1 + 1e-9) {
            throw new IllegalArgumentException("misbehaviour shares add up to " + total + ", more than the whole fleet");
        }
        shares = Collections.unmodifiableMap(copy);
    }

    /** Parses {@code slow-reader=0.01,garbage=0.01,...}; blank means none. */
    public static MisbehaviourPlan parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        EnumMap<Misbehaviour, Double> shares = new EnumMap<>(Misbehaviour.class);
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected KIND=SHARE, got '" + part.trim() + "'");
            }
            Misbehaviour kind = Misbehaviour.ofLabel(part.substring(0, eq));
            double share;
            try {
                share = Double.parseDouble(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("share of " + kind.label() + " is not a number: '" + part.substring(eq + 1).trim() + "'");
            }
            if (shares.put(kind, share) != null) {
                throw new IllegalArgumentException(kind.label() + " given twice");
            }
        }
        return new MisbehaviourPlan(shares);
    }

    /** How many of a fleet of {@code devices} play this kind. */
    public int count(Misbehaviour kind, int devices) {
        Double share = shares.get(kind);
        if (share == null || devices == 0) {
            return 0;
        }
        return (int) Math.min(devices, Math.max(1, Math.round(share * devices)));
    }

    /** The kind device {@code index} of a fleet of {@code devices} plays; empty: it behaves. */
    public Optional<Misbehaviour> of(int index, int devices) {
        int end = devices;
        for (Misbehaviour kind : Misbehaviour.values()) {
            int start = Math.max(0, end - count(kind, devices));
            if (index >= start && index < end) {
                return Optional.of(kind);
            }
            end = start;
        }
        return Optional.empty();
    }

    /** Devices that play no misbehaviour. */
    public int wellBehaved(int devices) {
        int misbehaving = 0;
        for (Misbehaviour kind : Misbehaviour.values()) {
            misbehaving += count(kind, devices);
        }
        return Math.max(0, devices - misbehaving);
    }

    /** Back in the form {@link #parse} reads. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        shares.forEach((kind, share) -> text.append(text.isEmpty() ? "" : ",").append(kind.label()).append('=').append(share));
        return text.toString();
    }
}
