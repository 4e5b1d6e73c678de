package io.kickoff.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A server's routes in one table: method and path template → what answers. A template is a path whose segments are
 * literal or a {@code {name}} placeholder; a placeholder matches one non-empty segment, handed over percent-decoded
 * (so {@code /v1/events/e%31} is the event {@code e1}). Paths are matched as sent (still percent-encoded), whole:
 * no trailing slash, no extra segment.
 *
 * <p>{@link #lookup} says which route answers, or that none has the path (404), or that the path is there but not
 * for that method (405, with the methods for {@code Allow}, in the order the table lists them).
 *
 * @param <H> what answers a route (a handler, an operation...)
 */
public final class RouteTable<H> {

    /** One row of the table. */
    public record Route<H>(HttpMethod method, String template, H handler) {
        public Route {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(handler, "handler");
            if (!template.startsWith("/")) {
                throw new IllegalArgumentException("a route template starts with '/': " + template);
            }
        }
    }

    /** The outcome of a lookup. */
    public sealed interface Lookup<H> {
        /** The route that answers, with its placeholders' decoded values. */
        record Found<H>(Route<H> route, Map<String, String> parameters) implements Lookup<H> {
            public String parameter(String name) {
                return parameters.get(name);
            }
        }

        /** No route has this path. */
        record NotFound<H>() implements Lookup<H> {
        }

        /** The path is routed, not for this method. */
        record MethodNotAllowed<H>(String template, List<HttpMethod> allowed) implements Lookup<H> {
            /** The value of {@code Allow}: e.g. {@code GET, POST}. */
            public String allow() {
                return allowed.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            }
        }
    }

    private final List<Route<H>> routes;
    /** The distinct templates, in table order, each split into segments. */
    private final Map<String, String[]> templates = new LinkedHashMap<>();

    private RouteTable(List<Route<H>> routes) {
        this.routes = List.copyOf(routes);
        for (Route<H> route : this.routes) {
            templates.computeIfAbsent(route.template(), t -> t.substring(1).split("/", -1));
        }
    }

    public static <H> Builder<H> builder() {
        return new Builder<>();
    }

    /** Every row, in table order. */
    public List<Route<H>> routes() {
        return routes;
    }

    /** The template {@code rawPath} matches, whatever the method (e.g. a label for metrics), if any. */
    public Optional<String> templateOf(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return Optional.empty();
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (Map.Entry<String, String[]> template : templates.entrySet()) {
            if (match(template.getValue(), segments) != null) {
                return Optional.of(template.getKey());
            }
        }
        return Optional.empty();
    }

    /** The route for {@code method} on {@code rawPath} (the path as sent, without the query). */
    public Lookup<H> lookup(HttpMethod method, String rawPath) {
        if (!rawPath.startsWith("/")) {
            return new Lookup.NotFound<>();
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (Map.Entry<String, String[]> template : templates.entrySet()) {
            Map<String, String> parameters = match(template.getValue(), segments);
            if (parameters == null) {
                continue;
            }
            List<HttpMethod> allowed = new ArrayList<>();
            for (Route<H> route : routes) {
                if (route.template().equals(template.getKey())) {
                    if (route.method().equals(method)) {
                        return new Lookup.Found<>(route, parameters);
                    }
                    allowed.add(route.method());
                }
            }
            return new Lookup.MethodNotAllowed<>(template.getKey(), List.copyOf(allowed));
        }
        return new Lookup.NotFound<>();
    }

    /** The placeholders of {@code template} in {@code segments}, or null if the path is not the template's. */
    private static Map<String, String> match(String[] template, String[] segments) {
        if (template.length != segments.length) {
            return null;
        }
        Map<String, String> parameters = null;
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.length() > 2 && t.charAt(0) == '{' && t.charAt(t.length() - 1) == '}') {
                if (segments[i].isEmpty()) {
                    return null;
                }
                if (parameters == null) {
                    parameters = new LinkedHashMap<>();
                }
                parameters.put(t.substring(1, t.length() - 1), QueryStringDecoder.decodeComponent(segments[i]));
            } else if (!t.equals(segments[i])) {
                return null;
            }
        }
        return parameters == null ? Map.of() : parameters;
    }

    public static final class Builder<H> {
        private final List<Route<H>> routes = new ArrayList<>();

        private Builder() {
        }

        public Builder<H> route(HttpMethod method, String template, H handler) {
            Route<H> route = new Route<>(method, template, handler);
            for (Route<H> r : routes) {
                if (r.method().equals(method) && r.template().equals(template)) {
                    throw new IllegalArgumentException("routed twice: " + method + " " + template);
                }
            }
            routes.add(route);
            return this;
        }

        public RouteTable<H> build() {
            return new RouteTable<>(routes);
        }
    }
}
