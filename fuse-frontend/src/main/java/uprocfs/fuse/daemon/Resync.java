package uprocfs.fuse.daemon;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.engine.Reconciliation;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.task.TaskInfo;

/**
 * The resync after lost events: the event loop asks for it ({@link #request}) and goes on
 * applying events; this thread walks /proc and has the loop re-read and repair what differs
 * (docs/ARCHITECTURE.md, "Reconciliation"). Requests that come while one waits to run are
 * one resync; one that comes while a walk is under way runs another after it, since the
 * walk may have read a process before the loss.
 */
final class Resync {
    /** The thread's name, as thread dumps and /proc/PID/task/TID/comm show it. */
    static final String THREAD_NAME = "uproc-resync";
    private static final long STOP_DEADLINE_SECONDS = 10;

    private final EngineAgent engine;
    private final ProcFs proc;
    private final DaemonLog log;
    private final AtomicBoolean requested = new AtomicBoolean();
    // At the daemon's priority, unlike the audit: the files are known wrong until it ends.
    private final ExecutorService thread = backgroundThread(THREAD_NAME);

    Resync(EngineAgent engine, ProcFs proc, DaemonLog log) {
        this.engine = engine;
        this.proc = proc;
        this.log = log;
    }

    /**
     * One thread named {@code name} that runs what it is given in order; a daemon thread,
     * since the daemon's exit stops it in order before (and never waits for it otherwise).
     */
    static ExecutorService backgroundThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Any thread: a resync is needed. Returns at once. */
    void request() {
        if (requested.compareAndSet(false, true)) {
            thread.execute(this::run);
        }
    }

    /** Ends the thread, waiting for a walk under way. */
    void stop() {
        thread.shutdown();
        try {
            thread.awaitTermination(STOP_DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        requested.set(false);
        long t0 = System.nanoTime();
        try {
            List<TaskInfo> scan = proc.scan(engine.view().procDetail());
            int[] suspects = engine.suspects(scan).get();
            Reconciliation r = engine.repair(suspects, scan.size(), EngineAgent.Repair.RESYNC).get();
            log.info("events were lost (the kernel's queue overflowed): resynchronized with /proc in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms, " + r.added() + " processes added, "
                    + r.removed() + " removed, " + r.changed() + " changed");
        } catch (ExecutionException | RuntimeException e) {
            log.error("resync after lost events failed (the next audit repairs what it would have): "
                    + Daemon.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
