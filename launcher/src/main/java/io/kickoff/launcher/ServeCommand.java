package io.kickoff.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the platform on one node until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Live State Manager and a broadcast gateway in one process until stopped (Ctrl-C or SIGTERM).")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    PlatformOptionsMixin options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Platform platform = Platform.start(options.options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            platform.close();
            stopped.countDown();
        }, "kickoff-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        Banner.print(out, options.options, platform);
        out.println("Running. Stop with Ctrl-C.");
        out.flush();
        stopped.await();
        return 0;
    }
}
