package uprocfs.fuse.fidelity;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import uprocfs.testing.Deadline;

/**
 * Processes that come and go as fast as a shell can fork them, under one uid: loops of
 * {@code sh} (dash on Debian, whose fork is the cheapest at hand: two loops of {@code (:)}
 * make from 600 to 16,000 fork/exit pairs a second on this project's 2-core machines, bash
 * about half as many, a ProcessBuilder per process a tenth), each started with
 * {@code setpriv}. How fast is the machine's business: a test waits for a churn's end as
 * load ({@link Deadline#LOAD}) and is told how long it took.
 *
 * <p>A loop is never killed while it runs, except as a last resort: its child of the moment
 * would become an orphan, and where PID 1 does not reap, a zombie for good. Loops end by
 * themselves, after a count or when a stop file appears.
 */
final class Churn implements AutoCloseable {
    private final List<Process> loops = new ArrayList<>();
    private final Path stopFile;
    private final long startedNanos = System.nanoTime();

    private Churn(Path stopFile) {
        this.stopFile = stopFile;
    }

    /** {@code loops} loops in parallel, each forking {@code iterations} subshells that exit at once. */
    static Churn forkExits(int uid, int loops, int iterations) {
        Churn churn = new Churn(null);
        String loop = "i=0; while [ $i -lt " + iterations + " ]; do (:); i=$((i + 1)); done";
        for (int i = 0; i < loops; i++) {
            churn.start(uid, loop);
        }
        return churn;
    }

    /**
     * One loop per command, each running its command again and again until {@link #stop()}:
     * e.g. {@code /bin/true} (fork, exec, exit) or {@code sh -c :}.
     */
    static Churn untilStopped(Path stopFile, int uid, String... commands) {
        Churn churn = new Churn(stopFile);
        for (String command : commands) {
            churn.start(uid, "while [ ! -e '" + stopFile + "' ]; do " + command + "; done");
        }
        return churn;
    }

    private void start(int uid, String script) {
        try {
            loops.add(new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "sh", "-c", script)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            throw new AssertionError("cannot start a fork loop as uid " + uid, e);
        }
    }

    /**
     * Waits until every loop has ended by itself, up to {@link Deadline#LOAD}, and prints how
     * long the churn took as "load: WHAT in N ms".
     */
    void awaitEnd(String what) {
        awaitEnd();
        Deadline.printLoad(what, startedNanos);
    }

    /** Waits until every loop has ended by itself; fails if one did not within {@link Deadline#LOAD}. */
    private void awaitEnd() {
        Duration limit = Deadline.LOAD;
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            for (Process p : loops) {
                long left = deadline - System.nanoTime();
                if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("a fork loop still runs after " + limit.toSeconds() + " s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("a fork loop failed with exit " + p.exitValue());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Makes the loops of {@link #untilStopped} end after their current iteration, and waits for them. */
    void stop() {
        try {
            Files.writeString(stopFile, "");
        } catch (IOException e) {
            throw new AssertionError("cannot create " + stopFile, e);
        }
        awaitEnd();
    }

    /** Stops the loops; kills, by PID, one that does not end. */
    @Override
    public void close() {
        try {
            if (stopFile != null) {
                Files.writeString(stopFile, "");
            }
        } catch (IOException e) {
            // Then the loops are killed below.
        }
        for (Process p : loops) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
