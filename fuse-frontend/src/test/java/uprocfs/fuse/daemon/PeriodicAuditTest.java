package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.stats.Metric;
import uprocfs.testing.EventLoopThread;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/**
 * The audit thread over an engine reading a /proc laid out in a temporary directory, with a
 * thread of the test's playing the event loop.
 */
class PeriodicAuditTest {
    private static final Duration INTERVAL = Duration.ofMillis(20);
    private static final Duration DRAIN = Duration.ofMillis(5);

    @TempDir
    Path root;

    private Path proc;
    private EngineAgent engine;
    private EventLoopThread eventLoop;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final DaemonLog log = DaemonLog.forCommand(new PrintStream(logged, true, StandardCharsets.UTF_8));
    private PeriodicAudit audit;

    @BeforeEach
    void engineOverAFakeProc() throws IOException {
        proc = Files.createDirectory(root.resolve("proc"));
        process(100, 1000);
        process(200, 1001);
        ProcFs procFs = new ProcFs(proc);
        engine = new EngineAgent(new RuleSet("test.conf", Instant.now(), List.of(
                new RuleSpec("u1000", 1000, RuleSpec.ANY, null, 1))), procFs);
        eventLoop = new EventLoopThread(engine);
        engine.install(procFs.scan()).join();
    }

    @AfterEach
    void stopTheThreads() {
        if (audit != null) {
            audit.stop();
        }
        eventLoop.close();
    }

    private long counter(Metric m) {
        return engine.view().counters().get(m);
    }

    private void process(int pid, int euid) {
        new FakeProcTree(proc).add(FakeProcess.pid(pid).euid(euid));
    }

    private ProcFs procFs() {
        return new ProcFs(proc);
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within 5 s");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static boolean auditThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(PeriodicAudit.THREAD_NAME) && t.isAlive());
    }

    private static boolean auditUnderWay() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals(PeriodicAudit.THREAD_NAME))
                .flatMap(e -> Arrays.stream(e.getValue()))
                .anyMatch(frame -> frame.getMethodName().equals("auditOnce"));
    }

    @Test
    void aHealthyRunIsAuditedAgainAndAgainAndSaysNothing() {
        audit = new PeriodicAudit(engine, procFs(), INTERVAL, DRAIN, log);
        assertEquals(0, counter(Metric.LAST_AUDIT));
        audit.start();
        await("three audits", () -> counter(Metric.AUDITS) >= 3);
        assertEquals(0, counter(Metric.AUDIT_REPAIRS));
        assertTrue(counter(Metric.LAST_AUDIT) > 0);
        assertEquals("", log());
    }

    @Test
    void driftThatNoEventExplainsIsRepairedCountedAndLogged() throws IOException {
        process(300, 1000);
        process(200, 1000);
        audit = new PeriodicAudit(engine, procFs(), INTERVAL, DRAIN, log);
        audit.start();
        await("the audit repairs both and says so", () -> log().contains("audit: the files differed from /proc and "
                + "no event explained it; repaired 1 process added, 0 removed, 1 changed (of 3 processes in /proc)"));
        assertEquals(2, counter(Metric.AUDIT_REPAIRS));
        assertEquals("100\n200\n300\n", new String(engine.view().namespace("u1000").content(), StandardCharsets.US_ASCII));
    }

    @Test
    void aFailingAuditIsLoggedAndTheNextOneRuns() throws IOException {
        Path moved = root.resolve("elsewhere");
        Files.move(proc, moved);
        audit = new PeriodicAudit(engine, procFs(), INTERVAL, DRAIN, log);
        audit.start();
        await("a failure is logged", () -> log().contains("uproc: error: audit failed (events still keep the files "
                + "current; the next audit runs as planned): cannot list " + proc));
        Files.move(moved, proc);
        await("audits resume", () -> counter(Metric.AUDITS) >= 1);
        assertTrue(auditThreadAlive());
    }

    @Test
    void stopEndsTheThreadAndNoAuditRunsAfter() {
        audit = new PeriodicAudit(engine, procFs(), INTERVAL, Duration.ofSeconds(30), log);
        audit.start();
        await("an audit waits for the queue to drain", PeriodicAuditTest::auditUnderWay);
        long before = System.nanoTime();
        audit.stop();
        assertTrue(System.nanoTime() - before < Duration.ofSeconds(5).toNanos(),
                "an audit waiting for the queue to drain is abandoned, not waited for");
        assertFalse(auditThreadAlive());
        assertEquals(0, counter(Metric.AUDITS));
        audit.stop();
    }

    /** The audit's walks yield to the machine: its thread runs at nice 10, the rest of the daemon at 0. */
    @Test
    void theAuditThreadRunsAtALowerPriority() throws IOException {
        audit = new PeriodicAudit(engine, procFs(), INTERVAL, DRAIN, log);
        audit.start();
        await("one audit", () -> counter(Metric.AUDITS) >= 1);
        ProcFs system = ProcFs.system();
        int audited = -1;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().equals(PeriodicAudit.THREAD_NAME)) {
                    audited = Integer.parseInt(task.getFileName().toString());
                }
            }
        }
        assertTrue(audited > 0, "the audit thread is listed in /proc/self/task");
        assertEquals(BackgroundPriority.NICE, niceOfThread(audited));
        assertEquals(0, niceOfThread(system.currentThreadId()), "only the audit's thread");
        assertEquals("", log());
    }

    /** The nice value of thread {@code tid} of this process: field 19 of its stat. */
    private static int niceOfThread(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"), StandardCharsets.ISO_8859_1);
        // The name (field 2) may hold spaces and parentheses: count fields after its last ')'.
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(after[19 - 3]);
    }

    @Test
    void anIntervalOfZeroStartsNoThread() {
        audit = new PeriodicAudit(engine, procFs(), Duration.ZERO, DRAIN, log);
        audit.start();
        assertFalse(auditThreadAlive());
    }
}
