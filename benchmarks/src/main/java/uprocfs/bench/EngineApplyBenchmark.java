package uprocfs.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.event.EventBatch;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;

/**
 * What one kernel event costs the engine with the seed's 100,000 {@code uid N uid.N} rules
 * plus {@code uid 60000 bench} loaded and 10,000 processes in {@code bench}: a process's
 * fork and exit, a uid change, an exec (which re-reads the process's status file); and what
 * the event loop adds per iteration (publishing the counters).
 * Run with {@code -prof gc} to see the allocation per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class EngineApplyBenchmark {
    static final int BENCH_UID = 60000;
    static final int PARENT = 100;

    private SyntheticProc proc;
    private EngineAgent engine;
    private final EventBatch batch = new EventBatch(16);
    private final ChildPids children = new ChildPids();
    private boolean flip;

    static RuleSet seedRules() {
        List<RuleSpec> rules = new ArrayList<>(100_001);
        for (int i = 1; i <= 100_000; i++) {
            rules.add(new RuleSpec("uid." + i, i, RuleSpec.ANY, null, i));
        }
        rules.add(new RuleSpec("bench", BENCH_UID, RuleSpec.ANY, null, 100_001));
        return new RuleSet("benchmark", Instant.now(), rules);
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        proc = new SyntheticProc();
        proc.process(PARENT, 1, BENCH_UID, BENCH_UID, "sleep");
        for (int pid = 200; pid < 200 + 10_000; pid++) {
            proc.process(pid, PARENT, BENCH_UID, BENCH_UID, "sleep");
        }
        engine = SyntheticProc.started(seedRules(), proc.procFs());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        proc.close();
    }

    /** A process forks a child that exits: two events, neither reads /proc. */
    @Benchmark
    @OperationsPerInvocation(2)
    public void forkThenExit() {
        children.forkThenExit(engine, batch, PARENT);
    }

    /** setuid(2) to another user and back would be two such events: one measured here. */
    @Benchmark
    public void uidChange() {
        flip = !flip;
        batch.clear();
        batch.uid(PARENT, PARENT, flip ? 1000 : BENCH_UID, 0);
        engine.onBatch(batch);
    }

    /** An exec re-reads /proc/PID/status (here a small file on tmpfs or disk cache). */
    @Benchmark
    public void exec() {
        batch.clear();
        batch.exec(PARENT, PARENT, 0);
        engine.onBatch(batch);
    }

    /**
     * What the event loop adds after each receive, events or not: running posted commands
     * (none here) and publishing the counters for readers. Per loop iteration, not per event.
     */
    @Benchmark
    public boolean loopIteration() {
        return engine.doWork();
    }
}
