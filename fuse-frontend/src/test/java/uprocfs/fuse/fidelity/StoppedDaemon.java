package uprocfs.fuse.fidelity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import uprocfs.fuse.it.Uproc;
import uprocfs.testing.Deadline;

/**
 * A daemon frozen with SIGSTOP: the kernel goes on queueing its events (and drops them once
 * the queue is full), so whatever happens meanwhile reaches it late, the way it would behind
 * a busy machine. A stopped daemon answers no FUSE request, so the test must not touch the
 * mount until {@link #resume()}; {@link #close()} resumes it whatever happened.
 */
final class StoppedDaemon implements AutoCloseable {
    private final Uproc uproc;
    private boolean stopped = true;

    private StoppedDaemon(Uproc uproc) {
        this.uproc = uproc;
    }

    /** Sends SIGSTOP and returns once /proc shows the daemon stopped (state T). */
    static StoppedDaemon stop(Uproc uproc) {
        StoppedDaemon frozen = new StoppedDaemon(uproc);
        Uproc.signal(uproc.pid(), "STOP");
        Path stat = Path.of("/proc", Long.toString(uproc.pid()), "stat");
        Deadline.await("the daemon is stopped", () -> {
            try {
                String text = Files.readString(stat);
                char state = text.charAt(text.lastIndexOf(')') + 2);
                return state == 'T' ? null : "state " + state;
            } catch (IOException e) {
                throw new AssertionError("the daemon is gone", e);
            }
        });
        return frozen;
    }

    /** SIGCONT, once; returns {@link System#nanoTime()} just after it was sent. */
    long resume() {
        if (stopped) {
            Uproc.signal(uproc.pid(), "CONT");
            stopped = false;
        }
        return System.nanoTime();
    }

    @Override
    public void close() {
        resume();
    }
}
