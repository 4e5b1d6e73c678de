package io.kickoff.lsm.api;

import static io.kickoff.lsm.api.AdminApiFixture.OPERATOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/admin-api.yaml and the server agree: every documented operation exists, and every route is documented. */
class AdminApiSpecTest {
    static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete", "head", "options", "trace");
    static final String EVENT = "spec-event";

    @RegisterExtension
    final AdminApiFixture api = new AdminApiFixture();
    JsonNode spec;

    @BeforeEach
    void readSpec() throws Exception {
        spec = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(specFile()));
    }

    /** docs/admin-api.yaml, found from the module directory or the repository root. */
    static Path specFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("admin-api.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/admin-api.yaml not found above " + Path.of("").toAbsolutePath());
    }

    record Operation(String path, String method, JsonNode node) {
    }

    List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : spec.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (METHODS.contains(method.getKey())) {
                    ops.add(new Operation(path.getKey(), method.getKey().toUpperCase(Locale.ROOT), method.getValue()));
                }
            }
        }
        return ops;
    }

    @Test
    void theSpecIsOpenApi31() {
        assertThat(spec.get("openapi").asText()).startsWith("3.1");
        assertThat(spec.at("/components/schemas/Problem/properties").has("field")).isTrue();
        assertThat(operations()).hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(spec, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(spec.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        }
    }

    static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject() && node.has("$ref")) {
            refs.add(node.get("$ref").asText());
        }
        node.forEach(child -> collectRefs(child, refs));
    }

    @Test
    void everyDocumentedOperationAnswersWithADocumentedStatus() throws Exception {
        assertThat(api.create(EVENT).statusCode()).isEqualTo(201);

        for (Operation op : operations()) {
            String path = op.path().replace("{id}", EVENT);
            JsonNode example = op.node().at("/requestBody/content/application~1json/example");
            String body = example.isMissingNode() ? null : Json.MAPPER.writeValueAsString(example);
            HttpResponse<String> answer = api.send(op.method(), path, OPERATOR, body == null ? null : "application/json", body);

            String what = op.method() + " " + op.path() + " → " + answer.statusCode() + " " + answer.body();
            assertThat(answer.statusCode()).as(what).isNotIn(404, 405);
            assertThat(op.node().get("responses").has(Integer.toString(answer.statusCode())))
                    .as("%s: status documented", what).isTrue();
            assertThat(answer.statusCode()).as(what).isLessThan(300);
        }
    }

    @Test
    void everyRouteOfTheServerIsDocumented() {
        Set<String> documented = new TreeSet<>();
        operations().forEach(op -> documented.add(op.method() + " " + op.path()));
        Set<String> served = new TreeSet<>();
        served.addAll(api.server.routes());
        assertThat(documented).isEqualTo(served);
    }
}
