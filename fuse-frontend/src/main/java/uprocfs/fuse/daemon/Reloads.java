package uprocfs.fuse.daemon;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import uprocfs.config.LoadedConfig;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.engine.EngineView;
import uprocfs.core.engine.PreparedRules;
import uprocfs.fuse.StartFailure;

/**
 * Reloads on SIGHUP. The signal's handler only hands the reload to this class's thread and
 * returns, so a configuration that is slow to read (getent waits up to 30 s for a directory
 * service) delays no signal, no startup verdict and no other thread; the thread reads and
 * indexes the configuration and posts the swap to the event loop (docs/ARCHITECTURE.md,
 * "Commands"). A SIGHUP that comes before the daemon is up is remembered and acted on once
 * it is. Reloads run one at a time, in order.
 *
 * <p>Under systemd each reload is framed as {@code Type=notify} services frame it:
 * {@code RELOADING=1} before the configuration is read, {@code READY=1} with the new status
 * once it is swapped in or refused (a refused one leaves the daemon serving, so it is ready).
 */
final class Reloads {
    /** Reads the configuration as it now reads. */
    @FunctionalInterface
    interface Source {
        LoadedConfig load() throws StartFailure;
    }

    /** The thread's name, as thread dumps and /proc/PID/task/TID/comm show it. */
    static final String THREAD_NAME = "uproc-reload";

    private final Source source;
    private final DaemonLog log;
    private final SystemdNotifier systemd;
    private final Supplier<String> status;
    private volatile boolean lastFailed;
    private final ExecutorService thread = Resync.backgroundThread(THREAD_NAME);
    // Guarded by this; held for no longer than it takes to hand a task to the thread.
    private EngineAgent engine;
    private boolean pending;

    Reloads(Source source, DaemonLog log) {
        this(source, log, new SystemdNotifier(null), () -> "");
    }

    /**
     * @param systemd told of each reload
     * @param status  the service's status line once a reload is done
     */
    Reloads(Source source, DaemonLog log, SystemdNotifier systemd, Supplier<String> status) {
        this.source = source;
        this.log = log;
        this.systemd = systemd;
        this.status = status;
    }

    /** Whether the last reload was refused (until one succeeds). */
    boolean lastFailed() {
        return lastFailed;
    }

    /** SIGHUP: returns at once. */
    synchronized void request() {
        if (engine == null) {
            if (!pending) {
                log.info("SIGHUP: still starting; the configuration is read again once mounted");
            }
            pending = true;
            return;
        }
        thread.execute(this::reload);
    }

    /** The daemon is up: reloads go ahead, one asked for during startup among them. */
    synchronized void up(EngineAgent started) {
        engine = started;
        if (pending) {
            pending = false;
            thread.execute(this::reload);
        }
    }

    /** No reload starts after this; one under way is abandoned when it posts its swap. */
    void stop() {
        thread.shutdownNow();
    }

    private synchronized EngineAgent engine() {
        return engine;
    }

    private void reload() {
        EngineAgent a = engine();
        EngineView view = a.view();
        String running = view.rules().source();
        int before = view.namespaces().size();
        systemd.notify("RELOADING=1\n" + SystemdNotifier.monotonicNow(), log);
        try {
            LoadedConfig loaded = source.load();
            int now = a.swapRules(PreparedRules.of(loaded.rules())).get();
            log.info("SIGHUP: reloaded " + loaded.rules().source() + ": " + Daemon.count(now, "namespace")
                    + " (were " + before + ")");
            lastFailed = false;
        } catch (StartFailure | IllegalArgumentException f) {
            log.error("SIGHUP: cannot reload, keeping the running configuration (" + running + ", "
                    + Daemon.count(before, "namespace") + "):\n" + f.getMessage());
            // After the log, so that whoever sees the count can read why.
            lastFailed = true;
            a.countReloadFailure();
        } catch (ExecutionException | CancellationException e) {
            log.error("SIGHUP: the configuration was read but not swapped in (the daemon is stopping): "
                    + Daemon.describe(e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        systemd.notify("READY=1\nSTATUS=" + status.get(), log);
    }
}
