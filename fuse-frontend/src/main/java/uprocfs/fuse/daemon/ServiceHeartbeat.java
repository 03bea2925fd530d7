package uprocfs.fuse.daemon;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * What the event loop tells systemd on its own: {@code WATCHDOG=1} every half watchdog
 * timeout, and {@code STATUS=} (namespaces, processes) when it has changed. It runs on the
 * event loop's thread, between batches (the loop comes by at least every 200 ms), so the
 * pings stop when the loop is stuck and systemd restarts the daemon: a thread of its own
 * would keep pinging for a daemon whose files no longer change.
 */
final class ServiceHeartbeat {
    /** How often the status line is refreshed when there is no watchdog to ride on. */
    static final Duration STATUS_INTERVAL = Duration.ofSeconds(10);

    private final SystemdNotifier systemd;
    private final DaemonLog log;
    private final Supplier<String> status;
    private final boolean watchdog;
    private final long intervalNanos;
    private long next;
    private String lastStatus;

    ServiceHeartbeat(SystemdNotifier systemd, DaemonLog log, Supplier<String> status) {
        this.systemd = systemd;
        this.log = log;
        this.status = status;
        Duration ping = systemd.watchdogInterval();
        this.watchdog = !ping.isZero();
        this.intervalNanos = (watchdog && ping.compareTo(STATUS_INTERVAL) < 0 ? ping : STATUS_INTERVAL).toNanos();
        this.next = System.nanoTime();
    }

    /** Whether the daemon pings a watchdog. */
    boolean watchdog() {
        return watchdog;
    }

    /** The status the last message carried, so that the next sends it only when it changed. */
    synchronized void sent(String statusLine) {
        lastStatus = statusLine;
    }

    /** On the event loop: sends what is due. Costs a clock read when nothing is. */
    void tick() {
        if (!systemd.enabled()) {
            return;
        }
        long now = System.nanoTime();
        if (now - next < 0) {
            return;
        }
        next = now + intervalNanos;
        String line = status.get();
        String message;
        synchronized (this) {
            boolean changed = !line.equals(lastStatus);
            lastStatus = line;
            if (watchdog) {
                message = changed ? "WATCHDOG=1\nSTATUS=" + line : "WATCHDOG=1";
            } else if (changed) {
                message = "STATUS=" + line;
            } else {
                return;
            }
        }
        systemd.notify(message, log);
    }
}
