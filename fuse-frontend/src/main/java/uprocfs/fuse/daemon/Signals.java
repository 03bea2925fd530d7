package uprocfs.fuse.daemon;

/**
 * The daemon's own signal handlers. The JVM handles SIGHUP, SIGINT and SIGTERM by running
 * shutdown hooks and exiting, and libfuse installs its handlers only where it finds the
 * default one, so neither would unmount in order, and SIGHUP would end the daemon instead of
 * reloading it. {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to
 * replace those handlers; the action runs on a thread the JVM starts for each signal. (javac
 * warns about it on every build: with --release the warning cannot be suppressed.)
 */
final class Signals {
    private Signals() {
    }

    /** Runs {@code action} whenever signal {@code name} ("TERM", "HUP"...) arrives. */
    static void handle(String name, Runnable action) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
    }
}
