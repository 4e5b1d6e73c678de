package io.kickoff.lsm.api;

/** What a bearer token may do: viewers read, operators also write. */
public enum Role {
    VIEWER,
    OPERATOR;

    public boolean mayWrite() {
        return this == OPERATOR;
    }
}
