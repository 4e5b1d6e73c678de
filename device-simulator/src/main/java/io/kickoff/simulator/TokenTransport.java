package io.kickoff.simulator;

/** Where a device puts its token on the upgrade request; browsers can only use the query. */
enum TokenTransport {
    /** {@code Authorization: Bearer <token>}, what native devices do. */
    AUTHORIZATION_HEADER,
    /** {@code ?token=<token>} on the upgrade URI, what browsers must do. */
    QUERY_PARAMETER
}
