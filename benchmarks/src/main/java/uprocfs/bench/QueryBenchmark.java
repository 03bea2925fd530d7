package uprocfs.bench;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The question the seed measured, "which PIDs run as uid U?", with 100,000 namespaces
 * loaded and 10,000 tasks of U, asked from inside a JVM: reading the uprocfs file, reading
 * the same bytes from floorfs (the FUSE floor) and from a tmpfs file (the floor), scanning
 * every {@code /proc/PID/status} in Java (what a Java program without uprocfs would do), and running {@code pgrep -u U} and
 * the seed's {@code grep} pipeline as child processes (their fork and exec included; the
 * spawning JVM adds ~1 ms, negligible next to what they take).
 *
 * <p>Sets up its own test bed (see {@link SeedFixture}), so it needs root, setpriv, pgrep,
 * fusermount, gcc with libfuse-dev, and the source tree as working directory (it mounts with {@code ./uproc}),
 * or {@code -p tree=/path/to/tree}. tools/bench-seed measures the same from a shell, where
 * every contender pays for its fork and exec.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QueryBenchmark {
    @Param("100000")
    public int rules;
    @Param("10000")
    public int tasks;
    @Param("60500")
    public int uid;
    @Param(".")
    public String tree;

    private SeedFixture fixture;
    private Path namespaceFile;
    private Path plainFile;
    private Path floorFile;
    private String uidField;
    private final byte[] buffer = new byte[1 << 20];

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        fixture = new SeedFixture(Path.of(tree).toAbsolutePath(), rules, tasks, uid);
        namespaceFile = fixture.namespaceFile();
        plainFile = fixture.plainCopy(Files.readAllBytes(namespaceFile));
        floorFile = fixture.floorCopy(Files.readAllBytes(namespaceFile), Path.of(tree).toAbsolutePath());
        uidField = Integer.toString(uid);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fixture.close();
    }

    /** open, read to the end, close the namespace file; counts its lines. */
    @Benchmark
    public int uprocfsFile() throws IOException {
        return countLines(namespaceFile);
    }

    /**
     * The same bytes from floorfs, the cheapest libfuse filesystem, mounted as uprocfs is:
     * what any filesystem in user space with uprocfs's freshness (direct_io, no cached
     * attributes) pays.
     */
    @Benchmark
    public int floorFile() throws IOException {
        return countLines(floorFile);
    }

    /** The same bytes from a tmpfs file: what no filesystem in user space can beat. */
    @Benchmark
    public int plainFile() throws IOException {
        return countLines(plainFile);
    }

    /** Every /proc/PID/status, its Uid line's effective uid compared: a pure-Java pgrep. */
    @Benchmark
    public int procScanJava() throws IOException {
        int matches = 0;
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path dir : proc) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || name.charAt(0) < '1' || name.charAt(0) > '9') {
                    continue;
                }
                if (uidField.equals(effectiveUid(dir.resolve("status")))) {
                    matches++;
                }
            }
        }
        return matches;
    }

    @Benchmark
    public int pgrep() throws IOException, InterruptedException {
        return run("pgrep", "-u", uidField);
    }

    @Benchmark
    public int grepProc() throws IOException, InterruptedException {
        return run("sh", "-c", "grep -s 'Uid:[[:space:]]*" + uidField + "[[:space:]]' /proc/*/status");
    }

    private int countLines(Path file) throws IOException {
        int lines = 0;
        try (InputStream in = new FileInputStream(file.toFile())) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    /** The second field of the Uid line (real, effective, saved, fs), or null if the process is gone. */
    private String effectiveUid(Path status) throws IOException {
        int n;
        try (InputStream in = new FileInputStream(status.toFile())) {
            n = in.readNBytes(buffer, 0, 4096);
        } catch (FileNotFoundException gone) {
            return null;
        }
        String text = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        int line = text.indexOf("\nUid:");
        if (line < 0) {
            return null;
        }
        int start = text.indexOf('\t', text.indexOf('\t', line) + 1) + 1;
        int end = text.indexOf('\t', start);
        return start > 0 && end > start ? text.substring(start, end) : null;
    }

    /** Runs a command and counts the lines it prints. */
    private int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int lines = 0;
        try (InputStream out = p.getInputStream()) {
            for (int n; (n = out.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        p.waitFor();
        return lines;
    }
}
