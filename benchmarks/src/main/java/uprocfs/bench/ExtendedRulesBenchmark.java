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
 * {@link EngineApplyBenchmark}'s events with the rules the original never had loaded too: the
 * seed's 100,000 fixed rules, plus {@code uid * user.{uid}}, {@code cmd * cmd.{cmd}}, a tree
 * ({@code cmd sshd sshd}, {@code under sshd uid 60000 sessions}, {@code under sessions cmd * sess.{cmd}})
 * and an args rule. The parent (pid 100, uid 60000, named python3, running manage.py) is in
 * the tree and in templated sets. A fork copies its sets and trees; an exec re-reads its
 * status, executable and command line and matches the regex.
 * Run with {@code -prof gc} to see the allocation per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class ExtendedRulesBenchmark {
    static final int SSHD = 50;
    static final int PARENT = 100;

    private SyntheticProc proc;
    private EngineAgent engine;
    private final EventBatch batch = new EventBatch(16);
    private final ChildPids children = new ChildPids();
    private boolean flip;

    static RuleSet rules() {
        List<RuleSpec> rules = new ArrayList<>(EngineApplyBenchmark.seedRules().rules());
        int line = rules.size();
        RuleSpec.More none = RuleSpec.More.NONE;
        rules.add(new RuleSpec("user.{uid}", RuleSpec.ANY, RuleSpec.ANY, null, ++line,
                new RuleSpec.More(true, false, false, null, null, null)));
        rules.add(new RuleSpec("cmd.{cmd}", RuleSpec.ANY, RuleSpec.ANY, null, ++line,
                new RuleSpec.More(false, false, true, null, null, null)));
        rules.add(new RuleSpec("sshd", RuleSpec.ANY, RuleSpec.ANY, "sshd", ++line, none));
        rules.add(new RuleSpec("sessions", EngineApplyBenchmark.BENCH_UID, RuleSpec.ANY, null, ++line,
                new RuleSpec.More(false, false, false, "sshd", null, null)));
        rules.add(new RuleSpec("sess.{cmd}", RuleSpec.ANY, RuleSpec.ANY, null, ++line,
                new RuleSpec.More(false, false, true, "sessions", null, null)));
        rules.add(new RuleSpec("django", RuleSpec.ANY, RuleSpec.ANY, null, ++line,
                new RuleSpec.More(false, false, false, null, null, "manage\\.py (runserver|worker)")));
        return new RuleSet("benchmark", Instant.now(), rules);
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int uid = EngineApplyBenchmark.BENCH_UID;
        proc = new SyntheticProc();
        proc.process(1, 0, 0, 0, "init");
        proc.process(SSHD, 1, 0, 0, "sshd");
        proc.process(PARENT, SSHD, uid, uid, "python3");
        proc.detail(PARENT, "/usr/bin/python3.11", "python3", "manage.py", "runserver", "0.0.0.0:8000");
        for (int pid = 200; pid < 200 + 10_000; pid++) {
            proc.process(pid, PARENT, uid, uid, "python3");
            proc.detail(pid, "/usr/bin/python3.11", "python3", "manage.py", "worker");
        }
        engine = SyntheticProc.started(rules(), proc.procFs());
        engine.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        proc.close();
    }

    /** A process in a tree and in templated sets forks a child that exits: two events, no read, no match. */
    @Benchmark
    @OperationsPerInvocation(2)
    public void forkThenExit() {
        children.forkThenExit(engine, batch, PARENT);
    }

    /** A uid change: the index, the tree's rules and the templates matched again (user.N made and dropped). */
    @Benchmark
    public void uidChange() {
        flip = !flip;
        batch.clear();
        batch.uid(PARENT, PARENT, flip ? 1000 : EngineApplyBenchmark.BENCH_UID, 0);
        engine.onBatch(batch);
        engine.doWork();
    }

    /** An exec: status, exe and cmdline read, the args regex run, every rule kind matched. */
    @Benchmark
    public void exec() {
        batch.clear();
        batch.exec(PARENT, PARENT, 0);
        engine.onBatch(batch);
    }
}
