package io.kickoff.http;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.PATCH;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    final RouteTable<String> table = RouteTable.<String>builder()
            .route(GET, "/v1/events", "list")
            .route(POST, "/v1/events", "create")
            .route(GET, "/v1/events/{id}", "find")
            .route(PATCH, "/v1/events/{id}", "update")
            .route(POST, "/v1/events/{id}/transitions", "transition")
            .route(GET, "/healthz", "health")
            .build();

    @Test
    void findsTheRouteOfAMethodAndPath() {
        assertThat(found(GET, "/v1/events").route().handler()).isEqualTo("list");
        assertThat(found(POST, "/v1/events").route().handler()).isEqualTo("create");
        assertThat(found(PATCH, "/v1/events/derby").route().handler()).isEqualTo("update");
        assertThat(found(POST, "/v1/events/derby/transitions").parameters()).isEqualTo(Map.of("id", "derby"));
        assertThat(found(GET, "/healthz").route().template()).isEqualTo("/healthz");
    }

    @Test
    void placeholdersArePercentDecoded() {
        assertThat(found(GET, "/v1/events/e%31").parameter("id")).isEqualTo("e1");
        assertThat(found(GET, "/v1/events/a%2Fb").parameter("id")).isEqualTo("a/b");
    }

    @Test
    void anUnknownPathIsNotFound() {
        for (String path : new String[] {"/", "", "/v1", "/v1/events/", "/v1/events//transitions", "/v1/events/a/",
                "/v1/events/a/history", "/v1/events/a/transitions/x", "/healthz/", "/HEALTHZ", "v1/events"}) {
            assertThat(table.lookup(GET, path)).as(path).isInstanceOf(RouteTable.Lookup.NotFound.class);
        }
    }

    @Test
    void anotherMethodIsNotAllowedWithTheMethodsInTableOrder() {
        RouteTable.Lookup<String> lookup = table.lookup(DELETE, "/v1/events/derby");

        assertThat(lookup).isInstanceOf(RouteTable.Lookup.MethodNotAllowed.class);
        RouteTable.Lookup.MethodNotAllowed<String> refused = (RouteTable.Lookup.MethodNotAllowed<String>) lookup;
        assertThat(refused.template()).isEqualTo("/v1/events/{id}");
        assertThat(refused.allow()).isEqualTo("GET, PATCH");
        assertThat(((RouteTable.Lookup.MethodNotAllowed<String>) table.lookup(GET, "/v1/events/x/transitions")).allow())
                .isEqualTo("POST");
    }

    @Test
    void templateOfNamesThePathsRouteWhateverTheMethod() {
        assertThat(table.templateOf("/v1/events/x/transitions")).contains("/v1/events/{id}/transitions");
        assertThat(table.templateOf("/nowhere")).isEmpty();
    }

    @Test
    void aRouteIsListedOnce() {
        assertThatThrownBy(() -> RouteTable.<String>builder().route(GET, "/a", "one").route(GET, "/a", "two"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTable.<String>builder().route(GET, "a", "relative"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(table.routes()).extracting(RouteTable.Route::handler)
                .containsExactly("list", "create", "find", "update", "transition", "health");
    }

    private RouteTable.Lookup.Found<String> found(io.netty.handler.codec.http.HttpMethod method, String path) {
        RouteTable.Lookup<String> lookup = table.lookup(method, path);
        assertThat(lookup).as(method + " " + path).isInstanceOf(RouteTable.Lookup.Found.class);
        return (RouteTable.Lookup.Found<String>) lookup;
    }
}
