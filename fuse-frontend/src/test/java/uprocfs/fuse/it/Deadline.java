package uprocfs.fuse.it;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waiting for the system to catch up, never for a fixed time: a condition is checked
 * again and again until it holds or the deadline passes, and a failure says what was
 * still wrong at the end.
 */
public final class Deadline {
    /** Long enough for a loaded CI machine; a passing check returns as soon as it holds. */
    public static final Duration DEFAULT = Duration.ofSeconds(5);

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
}
