package uprocfs.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import uprocfs.config.ConfigException;
import uprocfs.config.ConfigLoader;
import uprocfs.config.LoadedConfig;

/**
 * What reading the seed's configuration costs: 100,000 {@code uid N uid.N} lines plus
 * {@code uid 60500 bench}, 1.9 MB, from bytes to a checked rule set. Measured twice: warm
 * (the parser compiled, as on a SIGHUP reload) and cold (the first parse in a fresh JVM,
 * as at startup, where the daemon and the command that starts it each parse once).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConfigParseBenchmark {
    static final int RULES = 100_000;

    private byte[] config;

    @Setup
    public void setUp() {
        StringBuilder text = new StringBuilder(RULES * 20);
        for (int i = 1; i <= RULES; i++) {
            text.append("uid ").append(i).append(" uid.").append(i).append('\n');
        }
        text.append("uid 60500 bench\n");
        config = text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Steady state: the average over many parses in a warmed-up JVM. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 5, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 1, jvmArgs = {"-Xms512m", "-Xmx512m"})
    public LoadedConfig parseWarm() throws ConfigException {
        return ConfigLoader.parse("bench.conf", config);
    }

    /**
     * The first parse of a fresh JVM, with the daemon's own flags (see ./uproc; its class-data
     * archive aside): one parse per fork, ten forks.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(value = 10, jvmArgs = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms32m", "-Xmn4m",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"})
    public LoadedConfig parseCold() throws ConfigException {
        return ConfigLoader.parse("bench.conf", config);
    }
}
