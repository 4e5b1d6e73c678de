package io.kickoff.launcher;

import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogDiff;
import io.kickoff.prefetch.catalog.CatalogFormatException;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.catalog.CatalogValidationException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The catalog as Hollow blobs: publish a version, or see what changed between two. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Publish the metadata catalog as Hollow snapshot and delta blobs, or diff two versions.",
        subcommands = {CatalogCommand.Publish.class, CatalogCommand.Diff.class})
final class CatalogCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: publish or diff");
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Run one producer cycle into the blob directory and announce the new version "
                    + "(a delta after the first, since the producer restores from the last announced version).",
                    "Input: --json FILE (format in docs/catalog.md) or --synthetic TITLES,SEGMENTS,EVENTS."})
    static final class Publish implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = "catalog-blobs", description = "Blob directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--json", description = "Catalog file in the JSON format of docs/catalog.md.")
        Path json;

        @Option(names = "--synthetic", split = ",", paramLabel = "TITLES,SEGMENTS,EVENTS",
                description = "A generated catalog with heavily shared cast and artwork, e.g. 100000,50,20.")
        int[] synthetic;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if ((json == null) == (synthetic == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --json and --synthetic");
            }
            if (synthetic != null && (synthetic.length != 3 || synthetic[0] < 1 || synthetic[1] < 1 || synthetic[2] < 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--synthetic wants TITLES,SEGMENTS,EVENTS with TITLES and SEGMENTS at least 1");
            }
            CatalogSource source = json != null ? CatalogSource.json(json)
                    : CatalogSource.synthetic(synthetic[0], synthetic[1], synthetic[2]);
            try {
                long version = CatalogPublisher.publish(dir, source);
                spec.commandLine().getOut().printf("announced catalog version %d in %s%n", version, dir.toAbsolutePath());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (CatalogFormatException | CatalogValidationException e) {
                spec.commandLine().getErr().println("kickoff catalog publish: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "What changed between two catalog versions, per type: added, removed and modified records with the changed fields.")
    static final class Diff implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = "catalog-blobs", description = "Blob directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--from", required = true, description = "The older version.")
        long from;

        @Option(names = "--to", required = true, description = "The newer version.")
        long to;

        @Option(names = "--limit", defaultValue = "50", description = "Records listed per type and kind of change (default: ${DEFAULT-VALUE}).")
        int limit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(CatalogDiff.between(CatalogBlobStore.directory(dir), from, to).toText(limit));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
