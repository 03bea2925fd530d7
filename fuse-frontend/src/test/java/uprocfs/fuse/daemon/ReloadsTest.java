package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uprocfs.config.LoadedConfig;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.stats.Metric;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;
import uprocfs.testing.Deadline;
import uprocfs.testing.EventLoopThread;
import uprocfs.testing.NotifySocket;

/**
 * SIGHUP's reloads: a configuration that is slow to read holds up no signal and no other
 * thread, one asked for during startup runs once the daemon is up, and a bad one is refused.
 */
class ReloadsTest {
    @TempDir
    Path proc;

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final DaemonLog log = DaemonLog.forCommand(new PrintStream(logged, true, StandardCharsets.UTF_8));
    private final CountDownLatch readable = new CountDownLatch(1);
    private final AtomicInteger loads = new AtomicInteger();
    private volatile boolean bad;
    private EngineAgent engine;
    private EventLoopThread loop;
    private Reloads reloads;

    private static RuleSet rules(String source, String... names) {
        List<RuleSpec> specs = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            specs.add(new RuleSpec(names[i], 1000 + i, RuleSpec.ANY, null, i + 1));
        }
        return new RuleSet(source, Instant.now(), specs);
    }

    /** A configuration source that reads only once the test lets it, as a hung getent would. */
    private LoadedConfig slowLoad() throws StartFailure {
        loads.incrementAndGet();
        try {
            readable.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure(ExitCode.CONFIG, "interrupted");
        }
        if (bad) {
            throw new StartFailure(ExitCode.CONFIG, "test.conf:1:1: error: bad");
        }
        return new LoadedConfig(rules("new.conf", "a", "b", "c"), List.of());
    }

    @BeforeEach
    void engineWithALoop() {
        engine = new EngineAgent(rules("old.conf", "a"), new ProcFs(proc));
        loop = new EventLoopThread(engine);
        reloads = new Reloads(this::slowLoad, log);
    }

    @AfterEach
    void stop() {
        readable.countDown();
        reloads.stop();
        loop.close();
    }

    private void awaitCounter(String what, Metric m, long value) {
        Deadline.await(what, () -> {
            long now = engine.view().counters().get(m);
            return now == value ? null : m.key() + " is " + now;
        });
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSignalNeverWaitsForTheConfigurationToBeRead() throws Exception {
        reloads.up(engine);
        long t0 = System.nanoTime();
        reloads.request();
        reloads.request();
        // The handler returned while the first reload still waits for its configuration.
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "request() returned at once");
        Deadline.await("the reload thread reads", () -> loads.get() == 1 ? null : loads.get() + " reads");
        // Neither this class nor anything else is held meanwhile: another thread's startup
        // verdict, or a stop, goes through (up() takes the same monitor as request()).
        long t1 = System.nanoTime();
        reloads.up(engine);
        assertTrue(System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(1), "up() did not wait for the read");
        readable.countDown();
        awaitCounter("both reloads are applied", Metric.RELOADS, 2);
        assertEquals(3, engine.view().namespaces().size());
        assertEquals("new.conf", engine.view().rules().source());
    }

    @Test
    void aSignalDuringStartupReloadsOnceTheDaemonIsUp() {
        reloads.request();
        reloads.request();
        assertEquals(0, loads.get(), "nothing is read before the daemon is up");
        readable.countDown();
        reloads.up(engine);
        awaitCounter("one reload after startup", Metric.RELOADS, 1);
        assertEquals(1, loads.get());
        assertTrue(log().contains("SIGHUP: still starting; the configuration is read again once mounted"), log());
    }

    @Test
    void systemdHearsOfEachReloadAndOfTheStatusAfterIt() throws Exception {
        Path dir = Files.createTempDirectory("uproc-notify");
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify"))) {
            reloads.stop();
            reloads = new Reloads(this::slowLoad, log, new SystemdNotifier(systemd.path().toString()),
                    () -> engine.view().namespaces().size() + " namespaces");
            reloads.up(engine);
            long before = System.nanoTime() / 1000;
            reloads.request();
            String reloading = systemd.await("RELOADING=1", Duration.ofSeconds(10));
            long began = Long.parseLong(NotifySocket.value(reloading, "MONOTONIC_USEC"));
            assertTrue(began >= before && began <= System.nanoTime() / 1000, reloading);
            readable.countDown();
            assertEquals("READY=1\nSTATUS=3 namespaces", systemd.await("READY=1", Duration.ofSeconds(10)));
            assertEquals(2, systemd.seen().size(), systemd.seen().toString());

            // A refused reload leaves the daemon serving: ready again, with the old rules' status.
            bad = true;
            reloads.request();
            systemd.await("RELOADING=1", Duration.ofSeconds(10));
            assertEquals("READY=1\nSTATUS=3 namespaces", systemd.await("READY=1", Duration.ofSeconds(10)));
            assertTrue(reloads.lastFailed());
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void aConfigurationWithErrorsIsRefusedAndTheRunningOneKept() {
        bad = true;
        readable.countDown();
        reloads.up(engine);
        reloads.request();
        awaitCounter("the failure is counted", Metric.RELOAD_FAILURES, 1);
        assertEquals("old.conf", engine.view().rules().source());
        assertEquals(0, engine.view().counters().get(Metric.RELOADS));
        assertTrue(log().contains("SIGHUP: cannot reload, keeping the running configuration (old.conf, 1 namespace):\n"
                + "uproc: test.conf:1:1: error: bad"), log());
    }
}
