package uprocfs.fuse.daemon;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Where the daemon says what it does. The daemon writes timestamped lines to standard
 * error, which is the terminal in the foreground and the log file ({@code -o log_file})
 * once started in the background, so that libfuse's own messages ({@code -d}) land in the
 * same place in the same order. The command that starts a daemon in the background writes
 * plain {@code uproc: } lines for the person who typed it.
 */
public final class DaemonLog {
    private final PrintStream out;
    private final boolean timestamps;
    private final String tag;

    private DaemonLog(PrintStream out, boolean timestamps, String tag) {
        this.out = out;
        this.timestamps = timestamps;
        this.tag = tag;
    }

    /** The daemon's log: {@code 2026-11-23T17:08:12.123Z uproc[1234]: message}. */
    public static DaemonLog forDaemon(PrintStream out) {
        return new DaemonLog(out, true, " uproc[" + ProcessHandle.current().pid() + "]: ");
    }

    /** The starting command's messages: {@code uproc: message}. */
    public static DaemonLog forCommand(PrintStream out) {
        return new DaemonLog(out, false, "uproc: ");
    }

    public void info(String message) {
        write(message);
    }

    public void error(String message) {
        write("error: " + message);
    }

    /** Every line of a multi-line message gets the prefix, so grep finds them all. */
    private void write(String message) {
        String prefix = timestamps ? Instant.now() + tag : tag;
        StringBuilder text = new StringBuilder();
        for (String line : message.split("\n", -1)) {
            text.append(prefix).append(line).append('\n');
        }
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }
}
