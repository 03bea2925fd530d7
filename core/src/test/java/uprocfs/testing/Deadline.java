package uprocfs.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waiting for the system to catch up, never for a fixed time: a condition is checked
 * again and again until it holds or the deadline passes, and a failure says what was
 * still wrong at the end.
 *
 * <p>Two kinds of wait, with limits of different kinds. What the daemon does (a file right
 * after an event, a resync) is bounded by what the daemon promises: {@link #DEFAULT} or
 * tighter. What the test's own processes do (forking thousands, starting a JVM) is the
 * machine's speed, which a test must not assert: {@link #awaitLoad} waits up to
 * {@link #LOAD}, which stops only a machine that has stopped making progress, and prints
 * how long the load took, so a slow machine shows in the log instead of failing.
 */
public final class Deadline {
    /** Long enough for a loaded CI machine; a passing check returns as soon as it holds. */
    public static final Duration DEFAULT = Duration.ofSeconds(5);
    /**
     * For the test's own load: some 100 times what it takes on this project's machines
     * (two loops of {@code (:)} make from 600 to 16,000 fork/exit pairs a second there).
     */
    public static final Duration LOAD = Duration.ofMinutes(5);

    private static final long POLL_MILLIS = 10;

    private Deadline() {
    }

    /**
     * Waits until {@code mismatch} returns {@code null}; it returns a description of what is
     * still wrong otherwise.
     */
    public static void await(String what, Supplier<String> mismatch) {
        await(what, DEFAULT, mismatch);
    }

    public static void await(String what, Duration limit, Supplier<String> mismatch) {
        long deadline = System.nanoTime() + limit.toNanos();
        String last;
        while (true) {
            last = mismatch.get();
            if (last == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": still not true after " + limit.toMillis() + " ms: " + last);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(what + ": interrupted; last seen: " + last, e);
            }
        }
    }

    /**
     * Waits up to {@link #LOAD} for what the test's own processes do, and prints
     * "load: WHAT in N ms".
     */
    public static void awaitLoad(String what, Supplier<String> mismatch) {
        long start = System.nanoTime();
        await(what, LOAD, mismatch);
        printLoad(what, start);
    }

    /** Prints "load: WHAT in N ms", N the milliseconds since {@code startNanos} ({@link System#nanoTime()}). */
    public static void printLoad(String what, long startNanos) {
        System.out.printf("load: %s in %d ms%n", what, (System.nanoTime() - startNanos) / 1_000_000);
    }
}
