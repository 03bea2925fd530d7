package uprocfs.fuse.daemon;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.engine.Reconciliation;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.task.TaskInfo;

/**
 * The audit thread: every interval, walks /proc (here, not on the event loop, which goes on
 * applying events meanwhile) and has the loop repair what differs for no reason the event
 * stream explains (docs/ARCHITECTURE.md, "Reconciliation"). An overflow is reported by the
 * socket and repaired at once; the audit is for what is never reported (a kernel that drops
 * an event silently, a bug), so that no file stays wrong for longer than an interval.
 *
 * <p>A difference found by the scan may be an event still queued in the socket, so the
 * audit looks again after {@link #DRAIN_WAIT}, once the event thread has applied what was
 * queued, and the loop re-reads those processes and repairs only what is still different
 * ({@link EngineAgent#repair}). In a healthy run it repairs nothing, and says nothing.
 *
 * <p>One thread, and each audit starts an interval after the previous one ended, so two
 * audits never overlap. A failing audit is logged and the next one runs as planned.
 */
final class PeriodicAudit {
    /** The thread's name, as thread dumps and /proc/PID/task/TID/comm show it. */
    static final String THREAD_NAME = "uproc-audit";
    /**
     * How long a suspect is given to be explained by a queued event: the event thread takes
     * a batch every 200 ms at most, and applies thousands of events in a millisecond.
     */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(1);
    /** How long {@link #stop()} waits for an audit under way (a /proc scan) to end. */
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

    private final EngineAgent engine;
    private final ProcFs proc;
    private final Duration interval;
    private final Duration drainWait;
    private final DaemonLog log;
    private final Object wakeUp = new Object();
    private boolean stopping;
    private Thread thread;

    /** Audits every {@code interval}; {@link Duration#ZERO} never. */
    PeriodicAudit(EngineAgent engine, ProcFs proc, Duration interval, DaemonLog log) {
        this(engine, proc, interval, DRAIN_WAIT, log);
    }

    PeriodicAudit(EngineAgent engine, ProcFs proc, Duration interval, Duration drainWait, DaemonLog log) {
        this.engine = engine;
        this.proc = proc;
        this.interval = interval;
        this.drainWait = drainWait;
        this.log = log;
    }

    /** Starts the thread; the first audit runs one interval from now. Nothing when auditing is off. */
    synchronized void start() {
        if (interval.isZero() || thread != null) {
            return;
        }
        thread = new Thread(this::run, THREAD_NAME);
        // The daemon's exit never waits for an audit; stop() ends it in order before.
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Ends the thread and waits until it has: an audit waiting for the queue to drain is
     * abandoned, one reading /proc is waited for. The thread is woken, not interrupted: an
     * interrupt would close the /proc file being read (FileChannel), and a process that
     * cannot be read counts as gone. Safe to call more than once, and before {@link #start()}.
     */
    synchronized void stop() {
        synchronized (wakeUp) {
            stopping = true;
            wakeUp.notifyAll();
        }
        if (thread == null) {
            return;
        }
        try {
            thread.join(STOP_DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("the audit thread did not end within " + STOP_DEADLINE.toSeconds() + " s; exiting without it");
        }
        thread = null;
    }

    private void run() {
        BackgroundPriority.lowerThisThread(log);
        while (sleep(interval)) {
            auditOnce();
        }
    }

    /** Waits {@code time}, or less if stopped; false when stopped. */
    private boolean sleep(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        synchronized (wakeUp) {
            try {
                for (long left = time.toNanos(); !stopping && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(wakeUp, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return !stopping;
        }
    }

    private void auditOnce() {
        try {
            List<TaskInfo> scan = proc.scan(engine.view().procDetail());
            int[] suspects = engine.suspects(scan).get();
            if (!sleep(drainWait)) {
                // The daemon is ending, and an unconfirmed finding repairs nothing.
                return;
            }
            Reconciliation r = engine.repair(suspects, scan.size(), EngineAgent.Repair.AUDIT).get();
            if (r.repairs() > 0) {
                log.info("audit: the files differed from /proc and no event explained it; repaired "
                        + Daemon.count(r.added(), "process") + " added, " + r.removed() + " removed, " + r.changed()
                        + " changed (of " + Daemon.count(r.scanned(), "process") + " in /proc)");
            }
        } catch (ExecutionException | RuntimeException e) {
            if (e instanceof CancellationException || e.getCause() instanceof CancellationException) {
                return;
            }
            log.error("audit failed (events still keep the files current; the next audit runs as planned): "
                    + Daemon.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
