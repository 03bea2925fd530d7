package uprocfs.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.event.EventBatch;
import uprocfs.core.engine.Namespace;

/**
 * What an open of a 10,000-PID namespace costs when its membership changed since the last
 * open (the content must be rendered again), against when it did not (the cached snapshot
 * is shared).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class RenderBenchmark {
    private SyntheticProc proc;
    private EngineAgent engine;
    private Namespace bench;
    private final EventBatch batch = new EventBatch(4);
    private boolean present;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        proc = new SyntheticProc();
        proc.process(EngineApplyBenchmark.PARENT, 1, EngineApplyBenchmark.BENCH_UID, 0, "sleep");
        for (int pid = 200; pid < 200 + 10_000 - 1; pid++) {
            proc.process(pid, 1, EngineApplyBenchmark.BENCH_UID, 0, "sleep");
        }
        engine = SyntheticProc.started(EngineApplyBenchmark.seedRules(), proc.procFs());
        bench = engine.view().namespace("bench");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        proc.close();
    }

    /** One member joined or left since the last open: render 10,000 lines again. */
    @Benchmark
    public byte[] openAfterChange() {
        batch.clear();
        if (present) {
            batch.exit(5_000_000, 5_000_000, 0);
        } else {
            batch.fork(EngineApplyBenchmark.PARENT, 5_000_000, 5_000_000, 0);
        }
        present = !present;
        engine.onBatch(batch);
        return bench.content();
    }

    /** Nothing changed: the open shares the snapshot rendered before. */
    @Benchmark
    public byte[] openUnchanged() {
        return bench.content();
    }
}
