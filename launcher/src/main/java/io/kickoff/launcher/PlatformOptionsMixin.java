package io.kickoff.launcher;

import picocli.CommandLine.ArgGroup;

/** Puts {@link PlatformOptions} on a command. */
final class PlatformOptionsMixin {
    @ArgGroup(exclusive = false, heading = "Platform options:%n")
    PlatformOptions options = new PlatformOptions();
}
