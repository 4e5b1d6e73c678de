/**
 * The prefetch service: the Hollow catalog, bundles materialized per (event, segment), their push on
 * {@code kickoff.bundles} and the bundle HTTP API.
 *
 * <p>Exports, for the launcher and tools: {@link io.kickoff.prefetch.PrefetchService} (started with its catalog
 * consumer and bundle store, which the caller chooses); the catalog ({@code catalog.CatalogBlobStore} with its
 * directory and in-memory stores, {@code CatalogPublisher}, {@code CatalogConsumer}, {@code CatalogSource},
 * {@code CatalogDiff} and their exceptions); the bundle stores ({@code bundle.BundleStore}, {@code InMemoryBundleStore},
 * {@code RedisBundleStore}, {@code CachedBundleStore}); the bundle API's settings ({@code http.BundleServerConfig},
 * {@code http.Priority}; with it the CORS origins and the home screen's {@code config.json}); the push priorities'
 * settings ({@code push.PushPacing}, {@code push.AudienceEstimate}), with which the push orders and paces an event's
 * bundles by the audience observed on {@code kickoff.audience} ({@code push.BusAudienceFeed}) or estimated. The bundle API also serves
 * web pages from the jar: the browser device SDK ({@code clients/js} of the source tree, packaged as it is) under
 * {@code /sdk/} and the demo home screen under {@code /home/}. The other public types are shared between this module's packages only; the synthetic
 * catalog and the priority limiter are package-private.
 */
package io.kickoff.prefetch;
