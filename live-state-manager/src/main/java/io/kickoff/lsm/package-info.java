/**
 * The Live State Manager: events and their stages, the admin API, the scheduler and the outbox relay to the bus.
 *
 * <p>Exports, for the launcher and tools: {@link io.kickoff.lsm.LiveStateManager} (started with its stores, which the
 * caller chooses); the store ports and their implementations ({@code event.EventStore}, {@code event.LeaderLease},
 * {@code event.InMemoryEventStore}, {@code idempotency.Idempotency}, {@code idempotency.InMemoryIdempotency},
 * {@code store.RedisEventStore}, {@code store.InMemoryLeaderLease}); {@code api.AdminToken}, {@code api.Role},
 * {@code api.AdminTokens} (tokens as the command line gives them) and {@code api.BrowserAccess} (CORS origins and the
 * producer console's bundle API; the console itself is served from {@code io/kickoff/lsm/console/}); the admin API's client
 * ({@code client.AdminClient}, {@code NewEventRequest}, {@code WriteOptions}, {@code AudienceAnswer}) and
 * {@code event.LiveEvent}. {@code audience.AudienceView} (with {@code BusAudienceView}, fed from the bus, and
 * {@code UnavailableAudienceView}) is what the admin API and {@code /metrics} read the audience of events from. The other
 * public types are shared between this module's packages only; the Redis lease and connections, the stage table and
 * problem documents are package-private.
 */
package io.kickoff.lsm;
