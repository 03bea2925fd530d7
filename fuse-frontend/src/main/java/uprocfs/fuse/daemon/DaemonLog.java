package uprocfs.fuse.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where the daemon says what it does. The daemon writes timestamped lines to standard
 * error, which is the terminal in the foreground and the log file ({@code -o log_file})
 * once started in the background, so that libfuse's own messages ({@code -d}) land in the
 * same place in the same order. The command that starts a daemon in the background writes
 * plain {@code uproc: } lines for the person who typed it.
 *
 * <p>Under systemd, standard error is the journal's stream, and the journal stamps, tags and
 * ranks each line itself: the daemon then writes each line with a sd-daemon(3) priority
 * prefix ({@code <6>} information, {@code <3>} error) and nothing else, so that
 * {@code journalctl -p err -u uprocfs} finds the errors.
 */
public final class DaemonLog {
    private final PrintStream out;
    private final boolean timestamps;
    private final String tag;
    private final boolean journal;

    private DaemonLog(PrintStream out, boolean timestamps, String tag, boolean journal) {
        this.out = out;
        this.timestamps = timestamps;
        this.tag = tag;
        this.journal = journal;
    }

    /**
     * The daemon's log: {@code 2026-11-23T17:08:12.123Z uproc[1234]: message}, or
     * {@code <6>message} when standard error is the journal's stream.
     */
    public static DaemonLog forDaemon(PrintStream out) {
        return forDaemon(out, standardErrorIsJournal(System.getenv("JOURNAL_STREAM")));
    }

    static DaemonLog forDaemon(PrintStream out, boolean journal) {
        return journal ? new DaemonLog(out, false, "", true)
                : new DaemonLog(out, true, " uproc[" + ProcessHandle.current().pid() + "]: ", false);
    }

    /** The starting command's messages: {@code uproc: message}. */
    public static DaemonLog forCommand(PrintStream out) {
        return new DaemonLog(out, false, "uproc: ", false);
    }

    /**
     * Whether standard error is the stream {@code $JOURNAL_STREAM} names
     * ({@code DEVICE:INODE}, systemd.exec(5)): the variable alone is inherited by whatever a
     * service starts, whose standard error may be a file.
     */
    static boolean standardErrorIsJournal(String journalStream) {
        if (journalStream == null || !journalStream.matches("[0-9]{1,20}:[0-9]{1,20}")) {
            return false;
        }
        try {
            Path stderr = Path.of("/proc/self/fd/2");
            return journalStream.equals(Files.getAttribute(stderr, "unix:dev") + ":"
                    + Files.getAttribute(stderr, "unix:ino"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public void info(String message) {
        write("<6>", message);
    }

    public void error(String message) {
        write("<3>", "error: " + message);
    }

    /** Every line of a multi-line message gets the prefix, so grep finds them all. */
    private void write(String priority, String message) {
        String prefix = journal ? priority : timestamps ? Instant.now() + tag : tag;
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
