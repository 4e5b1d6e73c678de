package io.kickoff.simulator;

/**
 * How a fleet's bundle caches did, over every stage update that named a bundle (live updates; welcome
 * snapshot entries only when their bundle had not arrived after the welcome).
 *
 * @param hits          the device held the named version, unexpired: rendered at once
 * @param misses        it did not (or held it expired): a critical fetch followed, after the miss jitter
 * @param expired       of the misses, those where the very version was held but past its expiry or max-age
 * @param fetched       fetches answered 200 (the listing replaced what the device held)
 * @param notModified   fetches answered 304 to {@code If-None-Match}: the copy held was kept and its max-age renewed
 * @param fetchFailures fetches that failed (any other status, I/O error): the device kept its previous screen
 */
public record BundleCacheFigures(long hits, long misses, long expired, long fetched, long notModified,
                                 long fetchFailures) {
}
