package io.kickoff.loadtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory of a target as its Prometheus endpoint reports it: the sum of the series a selector
 * names, e.g. {@code jvm_memory_used_bytes{area="heap"}} (every series of that metric whose labels
 * include {@code area="heap"}, summed over memory pools).
 */
final class MemorySample {
    private MemorySample() {
    }

    /** Sum of the series of {@code text} (Prometheus exposition) that {@code selector} names; fails if none does. */
    static double sum(String text, String selector) {
        int brace = selector.indexOf('{');
        String name = brace < 0 ? selector.trim() : selector.substring(0, brace).trim();
        List<String> labels = new ArrayList<>();
        if (brace >= 0) {
            for (String label : selector.substring(brace + 1, selector.lastIndexOf('}')).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        double total = 0;
        int matched = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (!(rest.startsWith("{") || rest.startsWith(" "))) {
                continue; // another metric whose name starts with this one
            }
            String series = rest.startsWith("{") ? rest.substring(0, rest.indexOf('}') + 1) : "";
            if (labels.stream().allMatch(series::contains)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                matched++;
            }
        }
        if (matched == 0) {
            throw new IllegalStateException("no series " + selector + " in the metrics");
        }
        return total;
    }

    /**
     * The smallest of {@code samples} readings one second apart, in bytes: heap use saws up and
     * down with each collection, and the low points are what a leak raises.
     */
    static double lowest(HttpClient client, String metricsUrl, String selector, int samples) throws InterruptedException {
        double lowest = Double.MAX_VALUE;
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                Thread.sleep(1_000); // spacing between samples of a sawtooth, not a wait for a condition
            }
            lowest = Math.min(lowest, sum(scrape(client, metricsUrl), selector));
        }
        return lowest;
    }

    private static String scrape(HttpClient client, String metricsUrl) throws InterruptedException {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(metricsUrl))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(metricsUrl + " answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(metricsUrl + " failed: " + e, e);
        }
    }
}
