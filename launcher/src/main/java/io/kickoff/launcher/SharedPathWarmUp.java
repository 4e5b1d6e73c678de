package io.kickoff.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * In {@code serve}, the admin and bundle APIs run the same Netty code as the gateway (HTTP codec,
 * aggregator, pipeline writes). While the gateway warms up, this asks them harmless reads, so that
 * the JIT compiles that shared code for all their types: otherwise the first admin call after the
 * warm-up, the very one that starts the first broadcast, sends the gateway's compiled write path
 * back to the interpreter (class-check deoptimizations) and the broadcast pays for its recompilation.
 */
final class SharedPathWarmUp implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final List<HttpRequest> requests = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** {@code running} false: asks nothing (the gateway does not warm up either). */
    SharedPathWarmUp(boolean running) {
        this.thread = new Thread(this::run, "api-warm-up");
        thread.setDaemon(true);
        if (running) {
            thread.start();
        }
    }

    /** Adds a GET to the ones asked in turn; {@code bearer} may be null. */
    SharedPathWarmUp read(URI uri, String bearer) {
        return ask(HttpRequest.newBuilder(uri).GET(), bearer);
    }

    /**
     * Adds a write with a JSON body that the server refuses (a 400 or 404 changes nothing): requests
     * with a body take other paths through the HTTP decoder and aggregator than reads do.
     */
    SharedPathWarmUp refusedWrite(String method, URI uri, String bearer, String json) {
        return ask(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)), bearer);
    }

    private SharedPathWarmUp ask(HttpRequest.Builder request, String bearer) {
        request.timeout(TIMEOUT);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        requests.add(request.build());
        return this;
    }

    private void run() {
        while (!stopped) {
            for (HttpRequest request : requests) {
                try {
                    http.send(request, HttpResponse.BodyHandlers.discarding());
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // Nothing to warm on a server that does not answer; the next round asks again.
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(2); // its own thread, at start-up only
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
