package io.kickoff.lsm.api;

import io.kickoff.http.CrossOrigin;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What browsers get from the admin port besides the API: which other origins may call the API (CORS; none by
 * default) and the address of the bundle API that the console at {@code /console/} shows device renderings from
 * (handed to the page in {@code /console/config.json}; none: that view says it is not configured).
 *
 * @param corsOrigins origins ({@code scheme://host[:port]}) allowed to call the API from a browser
 * @param bundleApi   base URL of the bundle API, e.g. {@code http://127.0.0.1:8082}, or empty; asked on each request
 *                    for {@code config.json}, because a process may start its bundle API after the admin API
 */
public record BrowserAccess(List<String> corsOrigins, Supplier<Optional<String>> bundleApi) {

    public BrowserAccess {
        corsOrigins = List.copyOf(corsOrigins);
        CrossOrigin.handler(corsOrigins); // refuses a malformed origin now, not on the first connection
        Objects.requireNonNull(bundleApi, "bundleApi");
    }

    /** No cross-origin callers, no bundle API. */
    public static BrowserAccess none() {
        return new BrowserAccess(List.of(), Optional::empty);
    }

    /** These origins may call the API from a browser. */
    public BrowserAccess withCorsOrigins(List<String> origins) {
        return new BrowserAccess(origins, bundleApi);
    }

    /** The bundle API at {@code url}, an {@code http(s)://host[:port]} base URL (checked now). */
    public BrowserAccess withBundleApi(String url) {
        Optional<String> base = Optional.of(baseUrl(url));
        return new BrowserAccess(corsOrigins, () -> base);
    }

    /** The bundle API at what {@code url} gives when asked (empty while not known yet). */
    public BrowserAccess withBundleApi(Supplier<Optional<String>> url) {
        return new BrowserAccess(corsOrigins, url);
    }

    /**
     * The console's {@code config.json}: {@code {"bundle_api":"http://...","home_screen":"http://.../home/"}} (the
     * demo home screen every bundle API serves, which the console links to), both {@code null} for none.
     */
    String consoleConfig() {
        String url = bundleApi.get().map(BrowserAccess::baseUrl).orElse(null);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("bundle_api", url);
        config.put("home_screen", url == null ? null : url + "/home/");
        return new String(Json.write(config), StandardCharsets.UTF_8);
    }

    /** {@code url} without a trailing slash, if it is an http(s) URL with a host and nothing after the path. */
    static String baseUrl(String url) {
        Objects.requireNonNull(url, "url");
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null) {
                return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw new IllegalArgumentException("the bundle API is an http(s)://host[:port] URL: " + url);
    }
}
