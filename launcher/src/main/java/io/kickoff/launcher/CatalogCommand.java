package io.kickoff.launcher;


import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogDiff;
import io.kickoff.prefetch.catalog.CatalogFormatException;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.catalog.CatalogValidationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The catalog as Hollow blobs: publish a version, or see what changed between two. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Publish the metadata catalog as Hollow snapshot and delta blobs, or diff two versions.",
        subcommands = {CatalogCommand.Publish.class, CatalogCommand.Versions.class, CatalogCommand.Diff.class})
final class CatalogCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: publish, versions or diff");
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

        @Option(names = "--allow-change", paramLabel = "PCT", defaultValue = "30",
                description = "Largest change of a type's record count accepted in one version, in percent; a larger "
                        + "one is refused as a likely mistake unless allowed here (default: ${DEFAULT-VALUE}).")
        float allowChange;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!(allowChange >= 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--allow-change must be a percentage >= 0");
            }
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
                long version = CatalogPublisher.publish(CatalogBlobStore.directory(dir), source, allowChange);
                spec.commandLine().getOut().printf("announced catalog version %d in %s%n", version, dir.toAbsolutePath());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (CatalogFormatException e) {
                spec.commandLine().getErr().println("kickoff catalog publish: " + e.getMessage());
                return 1;
            } catch (CatalogValidationException e) {
                spec.commandLine().getErr().println("kickoff catalog publish: " + e.getMessage()
                        + " (if the change is intended, publish again with --allow-change set above it)");
                return 1;
            }
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true,
            description = "The catalog versions in a blob directory, oldest first: their blobs, when each was written, and which is announced.")
    static final class Versions implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = "catalog-blobs", description = "Blob directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CatalogBlobStore.Directory store = CatalogBlobStore.existingDirectory(dir);
            List<CatalogBlobStore.BlobVersion> versions = store.versions();
            PrintWriter out = spec.commandLine().getOut();
            if (versions.isEmpty()) {
                out.printf("no catalog version in %s: publish one with kickoff catalog publish --dir %s%n", dir, dir);
                out.flush();
                return 0;
            }
            long announced = store.announcedVersion();
            out.println(String.format("%-20s %-22s %12s %12s", "version", "written", "snapshot", "delta"));
            for (CatalogBlobStore.BlobVersion v : versions) {
                out.println(String.format("%-20d %-22s %12s %12s  %s", v.version(),
                        v.written() == null ? "-" : v.written().truncatedTo(ChronoUnit.SECONDS).toString(),
                        bytes(v.snapshotBytes()), bytes(v.deltaBytes()), v.version() == announced ? "announced" : "")
                        .stripTrailing());
            }
            out.flush();
            return 0;
        }

        private static String bytes(long n) {
            return n < 0 ? "-" : String.format("%,d B", n);
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
