import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Event-to-visible latency of a mounted uprocfs, as a reader sees it: a process starts
 * under a uid, and the namespace file of that uid is opened and read again and again until
 * its PID is in it; then the process is killed, and the file is read until the PID is gone.
 * Run by tools/latency (which mounts the daemon); runs as root, with the JDK alone:
 *
 * <pre>java tools/Latency.java MOUNTPOINT FILE UID SAMPLES ROUNDS</pre>
 *
 * <p>A shepherd, {@code setpriv --reuid=UID ... bash}, forks each {@code sleep 1000} on a
 * line from us and prints its PID, and reaps it once we kill it. The FORK event makes the
 * process a member (a child inherits its parent's uid), and the kernel sends it inside
 * fork(), before the shepherd learns the PID. So for a start, two numbers bound the
 * event-to-visible time: from our request (includes waking the shepherd and the fork) and
 * from the moment we know the PID (the event was already sent). For an exit, the time runs
 * from just before kill(2) (includes the victim's wakeup and exit) until the PID is gone.
 */
public final class Latency {
    private static final int WARMUP = 100;

    private final Path file;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long polls;
    private long pollNanos;

    private Latency(Path file) {
        this.file = file;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java tools/Latency.java MOUNTPOINT FILE UID SAMPLES ROUNDS");
            System.exit(2);
        }
        Path mount = Path.of(args[0]);
        int uid = Integer.parseInt(args[2]);
        int samples = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        Latency latency = new Latency(mount.resolve(args[1]));
        Process shepherd = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "bash", "-c", "while read -r _; do sleep 1000 & echo $!; done; wait")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            latency.run(shepherd, samples, rounds, uid, args[1]);
        } finally {
            shepherd.getOutputStream().close();
            if (!shepherd.waitFor(10, TimeUnit.SECONDS)) {
                shepherd.destroyForcibly();
            }
        }
    }

    private void run(Process shepherd, int samples, int rounds, int uid, String name) throws IOException {
        Writer requests = shepherd.outputWriter(StandardCharsets.US_ASCII);
        BufferedReader pids = new BufferedReader(new InputStreamReader(shepherd.getInputStream(),
                StandardCharsets.US_ASCII));
        System.out.printf("%s: sleep processes of uid %d; %d warm-up pairs, then %d x %d start/exit pairs%n", name,
                uid, WARMUP, rounds, samples);
        measure(requests, pids, WARMUP);
        long[][] all = new long[3][0];
        for (int r = 1; r <= rounds; r++) {
            polls = 0;
            pollNanos = 0;
            long[][] round = measure(requests, pids, samples);
            System.out.printf("round %d (one open+read of the file: %.1f us on average, %,d reads)%n", r,
                    pollNanos / 1000.0 / Math.max(1, polls), polls);
            report("  start, from the request      ", round[0]);
            report("  start, from knowing the PID  ", round[1]);
            report("  exit, from kill(2)           ", round[2]);
            for (int k = 0; k < 3; k++) {
                all[k] = concat(all[k], round[k]);
            }
        }
        System.out.printf("all rounds%n");
        report("  start, from the request      ", all[0]);
        report("  start, from knowing the PID  ", all[1]);
        report("  exit, from kill(2)           ", all[2]);
    }

    /** {@code n} start/exit pairs: latencies in nanoseconds, [start from request, start from PID, exit]. */
    private long[][] measure(Writer requests, BufferedReader pids, int n) throws IOException {
        long[][] out = new long[3][n];
        for (int i = 0; i < n; i++) {
            long requested = System.nanoTime();
            requests.write("\n");
            requests.flush();
            int pid = Integer.parseInt(pids.readLine());
            long known = System.nanoTime();
            while (!listed(pid)) {
                Thread.onSpinWait();
            }
            long visible = System.nanoTime();
            out[0][i] = visible - requested;
            out[1][i] = visible - known;

            ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
            long killed = System.nanoTime();
            victim.destroyForcibly();
            while (listed(pid)) {
                Thread.onSpinWait();
            }
            out[2][i] = System.nanoTime() - killed;
        }
        return out;
    }

    /** Opens the file, reads it whole, closes it, and says whether {@code pid} is a line of it. */
    private boolean listed(int pid) throws IOException {
        long t0 = System.nanoTime();
        buffer.clear();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buffer) > 0) {
                if (!buffer.hasRemaining()) {
                    throw new IOException(file + " is larger than " + buffer.capacity() + " bytes");
                }
            }
        }
        boolean found = false;
        int value = 0;
        for (int i = 0, n = buffer.position(); i < n; i++) {
            byte b = buffer.get(i);
            if (b == '\n') {
                if (value == pid) {
                    found = true;
                    break;
                }
                value = 0;
            } else {
                value = value * 10 + (b - '0');
            }
        }
        polls++;
        pollNanos += System.nanoTime() - t0;
        return found;
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%s p50 %6d us   p90 %6d us   p99 %6d us   max %7d us   (n=%d)%n", what,
                micros(sorted, 0.50), micros(sorted, 0.90), micros(sorted, 0.99),
                sorted[sorted.length - 1] / 1000, sorted.length);
    }

    /** The nearest-rank quantile, in microseconds. */
    private static long micros(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1000;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
