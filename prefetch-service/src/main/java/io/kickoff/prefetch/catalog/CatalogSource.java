package io.kickoff.prefetch.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a producer cycle takes the full catalog from. */
@FunctionalInterface
public interface CatalogSource {

    /**
     * @return the full catalog for this cycle
     * @throws CatalogFormatException if the input is malformed
     */
    CatalogInput load();

    /** A JSON catalog file (format: {@code docs/catalog.md}), read on every {@link #load()}. */
    static CatalogSource json(Path file) {
        return () -> {
            try {
                return parseJson(Files.readString(file), file.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read catalog file " + file, e);
            }
        };
    }

    /**
     * The example catalog shipped with the service ({@code prefetch-service/catalog-example.json}):
     * one live event, {@code ev-ufc-309}, its titles, rows and three segments. The catalog of a
     * one-node trial platform.
     */
    static CatalogSource example() {
        return () -> {
            try (var in = CatalogSource.class.getResourceAsStream("catalog-example.json")) {
                if (in == null) {
                    throw new IllegalStateException("catalog-example.json is missing from the class path");
                }
                return parseJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                        "catalog-example.json");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the example catalog", e);
            }
        };
    }

    /** A synthetic catalog (see {@link SyntheticCatalog}), revision 0. */
    static CatalogSource synthetic(int titles, int segments, int events) {
        return new SyntheticCatalog(titles, segments, events, 0);
    }

    /**
     * Parses a JSON catalog document.
     *
     * @param origin named in error messages (a file name)
     * @throws CatalogFormatException with the origin, line and column for syntax errors, the field for type errors
     */
    static CatalogInput parseJson(String json, String origin) {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        try {
            CatalogInput input = mapper.readValue(json, CatalogInput.class);
            if (input == null) {
                throw new CatalogFormatException(origin + ": empty catalog document");
            }
            return input;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
            if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
                StringBuilder path = new StringBuilder();
                for (JsonMappingException.Reference ref : m.getPath()) {
                    if (ref.getFieldName() != null) {
                        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                    } else if (ref.getIndex() >= 0) {
                        path.append('[').append(ref.getIndex()).append(']');
                    }
                }
                where += " at " + path;
            }
            throw new CatalogFormatException("malformed catalog " + origin + where + ": " + e.getOriginalMessage(), e);
        }
    }
}
