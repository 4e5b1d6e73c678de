package io.kickoff.lsm;

import io.kickoff.bus.EventBus;
import io.kickoff.lsm.api.AdminApiHandler;
import io.kickoff.lsm.api.AdminServer;
import io.kickoff.lsm.api.Role;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.LiveEvents;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/** One Live State Manager node, wired: store, state machine, bus and admin API. */
public final class LiveStateManager implements AutoCloseable {

    /**
     * @param host   address of the admin API
     * @param port   port of the admin API (0: any free port)
     * @param tokens bearer tokens of the admin API and what each may do
     */
    public record Config(String host, int port, Map<String, Role> tokens) {
        public Config {
            Objects.requireNonNull(host, "host");
            tokens = Map.copyOf(tokens);
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("the admin API needs at least one bearer token");
            }
        }
    }

    private final LiveEvents events;
    private final AdminServer admin;

    private LiveStateManager(LiveEvents events, AdminServer admin) {
        this.events = events;
        this.admin = admin;
    }

    public static LiveStateManager start(Config config, EventStore store, EventBus bus, Clock clock)
            throws InterruptedException {
        LiveEvents events = new LiveEvents(store, bus, clock);
        AdminServer admin = AdminServer.start(config.host(), config.port(), new AdminApiHandler(events, config.tokens()));
        return new LiveStateManager(events, admin);
    }

    public LiveEvents events() {
        return events;
    }

    public int adminPort() {
        return admin.port();
    }

    @Override
    public void close() {
        admin.close();
    }
}
