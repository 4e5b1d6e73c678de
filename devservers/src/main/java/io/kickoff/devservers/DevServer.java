package io.kickoff.devservers;

/**
 * A server this module runs as a child process, with what fault drills need: an orderly stop and a
 * kill (SIGKILL), both undone by {@link #start()} on the same address with the same data.
 */
public interface DevServer extends AutoCloseable {
    /** Starts it, or starts it again after {@link #stop()} or {@link #kill()}; a no-op while running. */
    void start();

    /** Stops it in an orderly way. */
    void stop();

    /** Kills it (SIGKILL): what it acknowledged must survive. */
    void kill();

    /** Stops it, then starts it again. */
    void restart();

    boolean isRunning();

    /** Stops it for good and deletes what it kept in a temporary directory. */
    @Override
    void close();
}
