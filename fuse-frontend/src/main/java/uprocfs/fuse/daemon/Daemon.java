package uprocfs.fuse.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import ru.serce.jnrfuse.FuseException;
import uprocfs.config.LoadedConfig;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.engine.EngineView;
import uprocfs.core.engine.PreparedRules;
import uprocfs.core.engine.Reconciliation;
import uprocfs.core.event.EventBatch;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;
import uprocfs.core.task.TaskInfo;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;
import uprocfs.fuse.Version;
import uprocfs.fuse.fs.ProcessVisibility;
import uprocfs.fuse.fs.UprocFs;
import uprocfs.netlink.BatchHandler;
import uprocfs.netlink.NetlinkException;
import uprocfs.netlink.ProcEventPump;
import uprocfs.netlink.ProcEventSource;
import uprocfs.netlink.TaskExitSource;

/**
 * The daemon in the foreground: from a checked configuration to a mounted, populated
 * filesystem kept current, and back to nothing mounted.
 *
 * <p>Startup order (docs/ARCHITECTURE.md, "Startup"): subscribe to the proc connector first,
 * then scan /proc, then start the event loop, which installs the scan before it applies any
 * event (those that queued during the scan included; applying them is idempotent), then
 * mount, then wait until the mount answers, then report ready. So the filesystem is complete
 * from its first request, and a background start returns only then.
 *
 * <p>It ends on SIGTERM or SIGINT, when unmounted from outside ({@code fusermount -u}: the
 * libfuse loop returns) and when the event pump fails; always in the same order: stop the
 * pump, unsubscribe, unmount. A daemon that no longer applies events must not keep serving
 * lists that silently go stale, so a pump failure unmounts too and exits with
 * {@link ExitCode#FAILURE}. SIGHUP reloads the configuration without unmounting.
 *
 * <p>The event loop (the pump's thread) is the only writer of the engine's state; the audit
 * ({@link PeriodicAudit}), the resync after lost events ({@link Resync}) and the reload
 * (its own thread, so that neither a signal handler nor startup ever waits for a
 * configuration to be read) do their slow part on their own threads and post the result to
 * it. {@code .status} at the mount's root shows the counters of all of it.
 */
public final class Daemon {
    /** Events applied under one lock acquisition at most. */
    private static final int BATCH_CAPACITY = 4096;
    /** How long libfuse may take to mount before startup is declared failed. */
    private static final Duration MOUNT_DEADLINE = Duration.ofSeconds(10);
    /** The thread that answers scrapes, as thread dumps and /proc/PID/task/TID/comm show it. */
    static final String METRICS_THREAD = "uproc-metrics";
    /** How long the libfuse loop may take to return after the unmount. */
    private static final Duration LOOP_EXIT_DEADLINE = Duration.ofSeconds(5);

    /** Why the daemon stops, and what it exits with. */
    private record Outcome(String reason, int exitCode) {
    }

    private final DaemonSettings settings;
    private final DaemonLog log;
    private final SystemdNotifier systemd;
    private final ConfigSource config;
    private final CompletableFuture<Outcome> stop = new CompletableFuture<>();
    private final long startedNanos = System.nanoTime();
    private final String version = Version.project();
    private final Counters counters = new Counters();
    private final Reloads reloads;
    private final GetentLookup accounts;
    /** {@code /metrics}, when asked for; started before the mount, stopped after the unmount. */
    private MetricsEndpoint metricsServer;
    /** Names of ended tasks, with -o metrics; closed after the pump has stopped. */
    private TaskExitSource exitNames;
    /**
     * The taskstats socket's queue: a report is 596 bytes, some 1.3 KB with the kernel's
     * bookkeeping, so room for about 3,000 exits between two batches.
     */
    private static final int EXIT_NAMES_BUFFER_BYTES = 4 << 20;
    /** What the files show, once mounted: the service's status line reads it. */
    private volatile EngineView serving;
    /** The command waiting for the verdict of the startup; {@code null} once told, or when none waits. */
    private ReadinessChannel.DaemonEnd starter;

    /**
     * @param starter the command waiting for the verdict of the startup ({@link #reachStarter}),
     *                or {@code null} when nobody waits
     */
    public Daemon(DaemonSettings settings, DaemonLog log, ReadinessChannel.DaemonEnd starter, SystemdNotifier systemd) {
        this.starter = starter;
        this.settings = settings;
        this.log = log;
        this.systemd = systemd;
        this.config = new ConfigSource(settings.configFile());
        this.accounts = new GetentLookup(log);
        this.reloads = new Reloads(() -> {
            if (settings.configFromStandardInput()) {
                throw new StartFailure(ExitCode.CONFIG, "the configuration came from standard input, which cannot "
                        + "be read again");
            }
            return config.load(log::info);
        }, log, systemd, this::serviceStatus);
    }

    /**
     * What a background start checks before it starts the daemon, so that these errors come
     * back at once: privileges, that the configuration file may be read, the mountpoint, in
     * the order a user fixes them. The configuration is not parsed here: the daemon parses
     * it (parsing 100,000 rules takes a cold JVM half a second), and its verdict carries the
     * errors and its notes the warnings.
     */
    public static void checkBeforeStart(DaemonSettings settings, ConfigSource config, DaemonLog log)
            throws StartFailure {
        requireRoot();
        config.verifyReadable();
        settings.mountPoint().prepare(settings.nonEmptyAllowed(), log);
    }

    /**
     * The checks of {@link #checkBeforeStart} after privileges (which {@link #serve} checks
     * first, before it subscribes), with the configuration parsed.
     */
    private LoadedConfig preflight() throws StartFailure {
        LoadedConfig loaded = config.load(this::notice);
        settings.mountPoint().prepare(settings.nonEmptyAllowed(), log);
        return loaded;
    }

    /** Refuses to go on unless this process runs as root, saying why it must. */
    public static void requireRoot() throws StartFailure {
        long euid;
        try {
            euid = ProcFs.system().effectiveUid();
        } catch (IOException e) {
            throw new StartFailure(ExitCode.PRIVILEGE, "cannot tell whether uproc runs as root: " + e.getMessage(), e);
        }
        if (euid != 0) {
            throw new StartFailure(ExitCode.PRIVILEGE, "uproc must run as root (it runs as uid " + euid + "): it "
                    + "subscribes to the kernel's process events (CAP_NET_ADMIN) and serves every user; "
                    + "run it with sudo, or as a system service");
        }
    }

    /** Runs until told to stop; returns the exit code. */
    public int run() {
        int code;
        try {
            code = serve();
        } catch (StartFailure f) {
            log.error(f.getMessage());
            report(f.exitCode(), f.getMessage());
            code = f.exitCode();
        }
        return code;
    }

    private int serve() throws StartFailure {
        requireRoot();
        // Before anything is started, so that no signal finds the JVM's default handlers,
        // which would exit without unmounting (and SIGHUP would end the daemon). A stop asked
        // for during startup is acted on once the daemon is up.
        handleSignals();
        // Subscribed first, so that whatever the walk of /proc misses arrives as events; both
        // are done on a thread of their own while the configuration parses: with 100,000 rules
        // and 10,000 processes each side takes a few hundred milliseconds (the subscription
        // alone 0.1 s, most of it jnr-ffi's first binding), and they are independent.
        ExecutorService startup = Resync.backgroundThread("uproc-scan");
        CompletableFuture<ProcEventSource> subscribed = new CompletableFuture<>();
        CompletableFuture<List<TaskInfo>> earlyScan = CompletableFuture.supplyAsync(() -> {
            try {
                subscribed.complete(subscribe());
            } catch (StartFailure | RuntimeException | Error e) {
                subscribed.completeExceptionally(e);
                throw new CompletionException(e);
            }
            return ProcFs.system().scan();
        }, startup);
        startup.shutdown();
        LoadedConfig loaded = null;
        StartFailure parseFailure = null;
        try {
            loaded = preflight();
        } catch (StartFailure f) {
            parseFailure = f;
        }
        // A daemon that cannot subscribe says so first, whatever its configuration, as when it
        // subscribed before parsing.
        ProcEventSource source = awaitStartup(subscribed);
        if (parseFailure != null) {
            closeQuietly(source);
            throw parseFailure;
        }
        MountPoint mountPoint = settings.mountPoint();
        log.info("starting: " + count(loaded.rules().size(), "namespace") + " from " + loaded.rules().source()
                + ", mountpoint " + mountPoint);
        exitNames = exitNames();
        ProcEventPump pump = null;
        PeriodicAudit audit = null;
        Resync resync = null;
        EngineAgent started = null;
        UprocFs fs = null;
        Thread loop = null;
        Outcome outcome;
        try {
            ProcFs proc = ProcFs.system();
            PreparedRules prepared = PreparedRules.of(loaded.rules());
            EngineAgent engine = new EngineAgent(prepared, proc, counters, settings.maxTemplated(), accounts);
            started = engine;
            if (exitNames != null) {
                engine.exitNames(exitNames);
            }
            // The loop owns the counters from its start; these are set before it, once.
            counters.set(Metric.AUDIT_INTERVAL_SECONDS, settings.auditInterval().toSeconds());
            // Made before the walk is awaited: binding libfuse (jnr-fuse's callbacks) takes main
            // 0.07 s that, with 10,000 processes, it would otherwise spend waiting for the walk.
            fs = fileSystem(engine.view());
            ProcFs.Detail detail = engine.view().procDetail();
            // Rules on executables or command lines need more of each process than the early walk read.
            List<TaskInfo> scanned = detail.equals(ProcFs.Detail.NONE) ? awaitStartup(earlyScan) : proc.scan(detail);
            CompletableFuture<Reconciliation> installed = engine.install(scanned);
            resync = new Resync(engine, proc, log);
            ServiceHeartbeat heartbeat = new ServiceHeartbeat(systemd, log, this::serviceStatus);
            if (heartbeat.watchdog()) {
                log.info("systemd watchdog: the event loop pings it every "
                        + systemd.watchdogInterval().toMillis() + " ms");
            }
            pump = new ProcEventPump(source, BATCH_CAPACITY, eventLoop(engine, resync, heartbeat, exitNames, log),
                    failure -> {
                        // On the loop's thread, which ends: nobody may wait for it any more.
                        engine.shutDown();
                        stop.complete(new Outcome("the event stream failed, so the files would go stale: "
                                + describe(failure), ExitCode.FAILURE));
                    });
            engine.setWaker(pump::wakeUp);
            pump.start();
            Reconciliation scan = awaitInstalled(installed);
            metricsServer = startMetrics(engine.view());
            audit = new PeriodicAudit(engine, proc, settings.auditInterval(), log);
            long deviceBefore = device(mountPoint);
            loop = startLoop(fs, mountPoint);
            awaitMounted(mountPoint, deviceBefore, loop);
            Outcome early = stop.getNow(null);
            if (early != null && early.exitCode() != ExitCode.OK) {
                throw new StartFailure(early.exitCode(), early.reason());
            }
            audit.start();
            reloads.up(engine);
            EngineView view = engine.view();
            serving = view;
            String ready = "mounted " + mountPoint + ": " + count(view.namespaces().size(), "namespace") + ", "
                    + count(view.taskCount(), "process") + " (scanned /proc in "
                    + TimeUnit.NANOSECONDS.toMillis(scan.nanos()) + " ms)";
            log.info(ready);
            String status = serviceStatus();
            heartbeat.sent(status);
            systemd.notify("READY=1\nMAINPID=" + ProcessHandle.current().pid() + "\nSTATUS=" + status, log);
            report(ExitCode.OK, ready);
            outcome = stop.join();
        } catch (StartFailure f) {
            outcome = new Outcome(f.getMessage(), f.exitCode());
            report(f.exitCode(), f.getMessage());
        } catch (RuntimeException e) {
            outcome = new Outcome("unexpected failure: " + describe(e), ExitCode.FAILURE);
            report(ExitCode.FAILURE, outcome.reason());
        }
        systemd.notify("STOPPING=1\nSTATUS=stopping: " + outcome.reason().replace('\n', ' '), log);
        if (outcome.exitCode() == ExitCode.OK) {
            log.info("stopping: " + outcome.reason());
        } else {
            log.error(outcome.reason() + "; stopping");
        }
        shutDown(source, pump, started, audit, resync, fs, loop, mountPoint);
        log.info("stopped");
        return outcome.exitCode();
    }

    /**
     * The service's status line for systemd ({@code systemctl status}): what the files hold,
     * and whether the last reload was refused.
     */
    private String serviceStatus() {
        EngineView view = serving;
        if (view == null) {
            return "starting";
        }
        String status = count(view.namespaces().size(), "namespace") + ", " + count(view.taskCount(), "process");
        return reloads.lastFailed() ? status + "; the last reload was refused, the running rules kept (see the log)"
                : status;
    }

    /**
     * What the event loop does: applies batches, asks for a resync after lost events, runs
     * posted commands, and tells systemd it is alive.
     */
    private static BatchHandler eventLoop(EngineAgent agent, Resync resync, ServiceHeartbeat heartbeat,
                                          TaskExitSource exitNames, DaemonLog log) {
        return new BatchHandler() {
            private TaskExitSource exits = exitNames;

            @Override
            public void onBatch(EventBatch batch) {
                if (exits != null) {
                    // Every exit this batch holds was reported there before it was sent here.
                    try {
                        exits.drain();
                    } catch (NetlinkException e) {
                        log.error("reading the names of ended processes (taskstats): " + e.getMessage()
                                + "; from now on a command that ends before its exec can be read counts in no set's"
                                + " exits (exits_unnamed in .status)");
                        agent.exitNames(uprocfs.core.event.ExitNames.NONE);
                        exits = null;
                    }
                }
                agent.onBatch(batch);
                if (batch.lost()) {
                    resync.request();
                }
            }

            @Override
            public boolean doWork() {
                boolean more = agent.doWork();
                heartbeat.tick();
                return more;
            }
        };
    }

    private void closeQuietly(ProcEventSource source) {
        try {
            source.close();
        } catch (NetlinkException e) {
            log.error("unsubscribing from process events: " + e.getMessage());
        }
    }

    /** Waits until the loop has installed the startup scan; the loop failing ends the wait. */
    private static Reconciliation awaitInstalled(CompletableFuture<Reconciliation> result) throws StartFailure {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw new StartFailure(ExitCode.FAILURE, "the startup scan could not be installed: "
                    + describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure(ExitCode.FAILURE, "interrupted while installing the startup scan");
        }
    }

    /** Serves {@code /metrics} where {@code -o metrics} says, on a thread of its own; none when not asked for. */
    private MetricsEndpoint startMetrics(EngineView view) throws StartFailure {
        DaemonSettings.MetricsAddress at = settings.metrics();
        if (at == null) {
            return null;
        }
        MetricsExport export = new MetricsExport(view, new ProcMemberUsage(ProcFs.system()));
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress(at.host(), at.port()), export,
                    Resync.backgroundThread(METRICS_THREAD));
            log.info("metrics: http://" + at + "/metrics");
            return endpoint;
        } catch (IOException | RuntimeException e) {
            throw new StartFailure(ExitCode.FAILURE, "cannot serve metrics on " + at + ": " + describe(e)
                    + "; is another program on that port? Choose another with -o metrics=[ADDR:]PORT", e);
        }
    }

    /**
     * With metrics on, the kernel's reports of ended tasks (taskstats), so that a command that
     * execs and ends before it can be read still counts in its sets' exits; none without
     * metrics (nothing shows those counts), or when the kernel refuses (said in the log).
     */
    private TaskExitSource exitNames() {
        if (settings.metrics() == null) {
            return null;
        }
        try {
            return TaskExitSource.open(EXIT_NAMES_BUFFER_BYTES, counters);
        } catch (NetlinkException e) {
            log.error("cannot read the names of ended processes from the kernel (taskstats): " + e.getMessage()
                    + "; a command that ends before its exec can be read will count in no set's exits"
                    + " (exits_unnamed in .status)");
            return null;
        }
    }

    /**
     * What the startup thread made (the subscription, the walk of /proc), or what it threw, as
     * it would have been thrown on this thread.
     */
    private static <T> T awaitStartup(CompletableFuture<T> made) throws StartFailure {
        try {
            return made.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StartFailure f) {
                throw f;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private ProcEventSource subscribe() throws StartFailure {
        try {
            ProcEventSource source = ProcEventSource.open(settings.receiveBufferBytes(), counters);
            if (!source.acknowledged()) {
                log.error("the kernel did not acknowledge the process-event subscription: without "
                        + "CONFIG_PROC_EVENTS, or outside the initial pid and user namespace, no event will arrive "
                        + "and the files will show the processes of the startup scan only");
            }
            return source;
        } catch (NetlinkException e) {
            throw new StartFailure(ExitCode.PRIVILEGE, "cannot subscribe to the kernel's process events: "
                    + e.getMessage(), e);
        }
    }

    private void handleSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            Signals.handle(name, () -> stop.complete(new Outcome("SIG" + name + " received", ExitCode.OK)));
        }
        Signals.handle("HUP", reloads::request);
    }

    private UprocFs fileSystem(EngineView view) {
        ProcMountOptions procOptions = new ProcMountOptions(log);
        // Read now, so that the log says at startup whether /proc hides processes.
        procOptions.get();
        return new UprocFs(view, () -> status(view), new ProcessVisibility(procOptions, ProcFs.system().root()));
    }

    /** The content of {@code .status}, now. */
    private byte[] status(EngineView view) {
        long uptime = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
        return new DaemonStatus(version, ProcessHandle.current().pid(), uptime, view.rules(), view.counters())
                .render();
    }

    /**
     * Runs libfuse's loop on its own thread: {@code fuse_main_real} mounts, serves until
     * unmounted, and returns. jnr-fuse always passes {@code -f} (libfuse must not fork the
     * JVM), so daemonizing is ours to do.
     */
    private Thread startLoop(UprocFs fs, MountPoint mountPoint) {
        Thread loop = new Thread(() -> {
            try {
                fs.mount(mountPoint.path(), true, settings.debug(),
                        settings.libfuseArguments().toArray(new String[0]));
                stop.complete(new Outcome("unmounted from outside", ExitCode.OK));
            } catch (FuseException e) {
                stop.complete(new Outcome("libfuse could not mount " + mountPoint + " (its own message, if any, "
                        + "is above): " + describe(e), ExitCode.MOUNT));
            }
        }, "fuse-loop");
        loop.start();
        return loop;
    }

    private static long device(MountPoint mountPoint) throws StartFailure {
        try {
            return mountPoint.device();
        } catch (IOException e) {
            throw new StartFailure(ExitCode.MOUNT, "cannot stat " + mountPoint + ": " + SystemError.describe(e), e);
        }
    }

    /**
     * Waits until the mountpoint's device changes: the kernel then routes a stat of it to
     * our getattr, so the mount is up and answering. libfuse mounts before it enters its
     * loop, and a request sent in between simply waits for the loop.
     */
    private void awaitMounted(MountPoint mountPoint, long deviceBefore, Thread loop) throws StartFailure {
        long deadline = System.nanoTime() + MOUNT_DEADLINE.toNanos();
        while (true) {
            if (!loop.isAlive()) {
                Outcome failed = stop.getNow(new Outcome("libfuse ended before mounting " + mountPoint,
                        ExitCode.MOUNT));
                throw new StartFailure(ExitCode.MOUNT, failed.reason());
            }
            try {
                if (mountPoint.device() != deviceBefore) {
                    return;
                }
            } catch (IOException e) {
                // Mid-mount a stat may fail; the deadline decides.
            }
            if (System.nanoTime() > deadline) {
                throw new StartFailure(ExitCode.MOUNT, mountPoint + " was not mounted within "
                        + MOUNT_DEADLINE.toSeconds() + " s");
            }
            try {
                loop.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartFailure(ExitCode.FAILURE, "interrupted while waiting for the mount");
            }
        }
    }

    /**
     * Stops the audit, the resync and the pump, fails what was still posted to the loop,
     * unsubscribes, unmounts (unless already unmounted) and lets the loop end.
     */
    private void shutDown(ProcEventSource source, ProcEventPump pump, EngineAgent engine, PeriodicAudit audit,
                          Resync resync, UprocFs fs, Thread loop, MountPoint mountPoint) {
        if (audit != null) {
            audit.stop();
        }
        if (resync != null) {
            resync.stop();
        }
        if (pump != null) {
            pump.stop();
        }
        if (engine != null) {
            engine.shutDown();
        }
        reloads.stop();
        accounts.stop();
        try {
            source.close();
        } catch (NetlinkException e) {
            log.error("unsubscribing from process events: " + e.getMessage());
        }
        if (exitNames != null) {
            try {
                exitNames.close();
            } catch (NetlinkException e) {
                log.error("closing the taskstats listener: " + e.getMessage());
            }
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (loop == null) {
            return;
        }
        if (loop.isAlive()) {
            mountPoint.unmount(log);
        }
        fs.unmounted();
        try {
            loop.join(LOOP_EXIT_DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loop.isAlive()) {
            log.info("libfuse still serves files opened before the unmount; they close when the daemon exits");
        }
    }

    /**
     * Connects to the command that started the daemon in the background and listens at
     * {@code address} ({@code null}: nobody waits), before the daemon starts: so that it hears
     * the notes as they come, and knows the daemon died should the connection end without a
     * verdict. A daemon that cannot reach it starts all the same, and says so.
     */
    public static ReadinessChannel.DaemonEnd reachStarter(String address, DaemonLog log) {
        if (address == null) {
            return null;
        }
        try {
            return ReadinessChannel.DaemonEnd.connect(address);
        } catch (IOException e) {
            log.error("cannot reach the command that started the daemon (" + address + "): "
                    + SystemError.describe(e) + "; starting all the same");
            return null;
        }
    }

    /** Something the user should read at startup: in the log, and on the starting command's terminal. */
    private synchronized void notice(String text) {
        log.info(text);
        if (starter == null) {
            return;
        }
        try {
            starter.note(text);
        } catch (IOException e) {
            lostStarter(e);
        }
    }

    /** Tells whoever started the daemon in the background how startup went; once. */
    private synchronized void report(int exitCode, String message) {
        if (starter == null) {
            return;
        }
        try {
            starter.verdict(exitCode, message);
            starter = null;
        } catch (IOException e) {
            lostStarter(e);
        }
    }

    private void lostStarter(IOException e) {
        log.error("cannot report to the command that started the daemon (" + starter + "): "
                + SystemError.describe(e));
        try {
            starter.close();
        } catch (IOException ignored) {
            // Already broken; the error above says so.
        }
        starter = null;
    }

    /** "1 namespace", "2 namespaces", "1 process", "0 processes". */
    public static String count(int n, String noun) {
        if (n == 1) {
            return n + " " + noun;
        }
        return n + " " + noun + (noun.endsWith("s") ? "es" : "s");
    }

    static String describe(Throwable t) {
        StringBuilder text = new StringBuilder(t.getMessage() == null ? t.toString() : t.getMessage());
        for (Throwable cause = t.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
