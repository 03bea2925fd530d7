package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.GroundTruth;
import uprocfs.fuse.it.ProcessResult;
import uprocfs.fuse.it.Scratch;
import uprocfs.fuse.it.Uproc;
import uprocfs.testing.Deadline;
import uprocfs.testing.RootEnvironment;

/**
 * Events are lost when the daemon falls behind: the kernel drops what no longer fits in the
 * socket's receive queue and says only that something was dropped (ENOBUFS). The daemon
 * must then resynchronize with /proc, so that the files tell the truth again soon after,
 * stay true, and say that it happened. Here the daemon is frozen with SIGSTOP while far more
 * happens than its 16 MiB queue holds (about 21,000 fork/exit pairs on this kernel).
 */
@Tag("root")
class StallTest {
    /** The uid of the processes started during the stall, which only a resync can find. */
    private static final int STARTED_UID = 60330;
    /** The uid of the fork/exit loops that overflow the queue. */
    private static final int CHURN_UID = 60331;
    /** The uid that processes forked before the overflow take after it. */
    private static final int CHANGED_UID = 60332;
    private static final int MARKER_UID = 60333;
    private static final int CHURN_LOOPS = 2;
    /** The bound, from SIGCONT to files equal to /proc. */
    private static final Duration CAUGHT_UP = Duration.ofSeconds(2);
    /** What Daemon logs after an overflow. */
    private static final String RESYNC_LOGGED = "events were lost (the kernel's queue overflowed): resynchronized "
            + "with /proc";

    private static final Rule MARKER = Rule.uid(MARKER_UID, "marker");

    private Scratch scratch;
    private Uproc uproc;
    private NamespaceFiles files;
    private final List<Herd> herds = new ArrayList<>();
    private final List<Churn> churns = new ArrayList<>();
    private StoppedDaemon stopped;

    @BeforeEach
    void scratchDirectory() {
        RootEnvironment.assumeRootWithFuse();
        scratch = new Scratch();
    }

    @AfterEach
    void leaveNothingBehind() {
        try {
            if (stopped != null) {
                // A stopped daemon answers nothing, not even SIGTERM, and the mount would hang.
                stopped.close();
            }
            churns.forEach(Churn::close);
            herds.forEach(Herd::close);
            if (uproc != null) {
                uproc.close();
            }
        } finally {
            scratch.close();
        }
    }

    @Test
    void filesEqualProcWithinTwoSecondsOfAStallThatLostEvents() {
        Rule started = Rule.uid(STARTED_UID, "stalled");
        Rule churned = Rule.uid(CHURN_UID, "churned");
        List<Rule> rules = List.of(started, churned);
        mount(rules);

        stopped = StoppedDaemon.stop(uproc);
        long t0 = System.nanoTime();
        forkExits(30_000);
        long churnEnded = System.nanoTime();
        Herd herd = herd(Herd.of(STARTED_UID, STARTED_UID, "sleep"));
        List<Integer> stalledPids = herd.spawn(3_000);
        Deadline.await("/proc shows the 3,000 new processes", () -> {
            List<Integer> truth = GroundTruth.runningPids(started::matches);
            return truth.containsAll(stalledPids) ? null : truth.size() + " so far";
        });
        System.out.printf("stall: 30,000 fork/exit pairs in %d ms, 3,000 processes started in %d ms%n",
                (churnEnded - t0) / 1_000_000, (System.nanoTime() - churnEnded) / 1_000_000);

        resumeAndAwaitTruth(rules);
        List<Integer> pgrep = pgrep(STARTED_UID);
        List<Integer> listed = files.pids(started.name());
        assertTrue(listed.equals(pgrep), "stalled equals pgrep -u " + STARTED_UID + ": "
                + NamespaceFiles.difference(listed, pgrep) + "\ndaemon log:\n" + scratch.logText());
        assertTrue(listed.containsAll(stalledPids));
        assertResyncReported();
    }

    /**
     * The kernel reports ENOBUFS before the datagrams still queued, and those are older than
     * any rescan made after it. Here 1,000 subshells are forked by root while the queue still
     * has room (their FORK events are kept), and become sleeps of {@link #CHANGED_UID} after it
     * overflowed (their UID, GID and EXEC events are lost): the rescan finds them right, and a
     * FORK applied after it would make them root's again, with nothing left to repair it.
     */
    @Test
    void eventsQueuedBeforeAnOverflowDoNotUndoTheResync() throws IOException {
        Rule changed = Rule.uid(CHANGED_UID, "changed");
        Rule churned = Rule.uid(CHURN_UID, "churned");
        List<Rule> rules = List.of(changed, churned);
        mount(rules);
        Path fifo = scratch.dir.resolve("go");
        ProcessResult mkfifo = ProcessResult.of("mkfifo", "-m", "600", fifo.toString());
        assertTrue(mkfifo.exitCode() == 0, mkfifo.toString());

        stopped = StoppedDaemon.stop(uproc);
        // Kept: more events than a daemon would apply in one go before looking at the loss.
        forkExits(10_000);
        // Kept: the forks of 1,000 subshells of root, each waiting for a line from the fifo.
        Herd herd = herd(Herd.ofCommandLine(0, 0, "{ read -r _ < '" + fifo + "'; exec setpriv --reuid=" + CHANGED_UID
                + " --regid=" + CHANGED_UID + " --clear-groups sleep 1000; }"));
        List<Integer> waiting = herd.spawn(1_000);
        // Overflows the queue: every event from here on is lost.
        forkExits(20_000);
        try (OutputStream go = Files.newOutputStream(fifo)) {
            // One line each (bash reads a fifo a byte at a time); open until all have read theirs.
            go.write("\n".repeat(waiting.size()).getBytes(StandardCharsets.US_ASCII));
            go.flush();
            Deadline.await("the 1,000 subshells become sleeps of " + CHANGED_UID, Duration.ofSeconds(30), () -> {
                List<Integer> truth = GroundTruth.runningPids(s -> changed.matches(s) && s.name().equals("sleep"));
                return truth.containsAll(waiting) ? null : truth.size() + " so far";
            });
        }

        resumeAndAwaitTruth(rules);
        assertTrue(files.pids(changed.name()).containsAll(waiting));
        assertResyncReported();
    }

    private void mount(List<Rule> rules) {
        List<Rule> all = new ArrayList<>(rules);
        all.add(MARKER);
        scratch.config(Rule.config(all));
        uproc = Uproc.foreground(scratch);
        files = new NamespaceFiles(scratch.mnt);
        files.awaitTruth("the files start out right", Deadline.DEFAULT, rules);
    }

    private void forkExits(int pairs) {
        Churn churn = Churn.forkExits(CHURN_UID, CHURN_LOOPS, pairs / CHURN_LOOPS);
        churns.add(churn);
        churn.awaitEnd(Duration.ofSeconds(60));
    }

    private Herd herd(Herd herd) {
        herds.add(herd);
        return herd;
    }

    /**
     * SIGCONT, then: every file equals /proc within {@link #CAUGHT_UP}, and still does once the
     * daemon has applied everything the kernel sent until then (a marker process shows it).
     */
    private void resumeAndAwaitTruth(List<Rule> rules) {
        long resumed = stopped.resume();
        try {
            files.awaitTruth("every file equals /proc within " + CAUGHT_UP.toSeconds() + " s of SIGCONT", CAUGHT_UP,
                    rules);
            System.out.printf("stall: files equal /proc %d ms after SIGCONT%n", (System.nanoTime() - resumed) / 1_000_000);
            files.awaitCaughtUp(MARKER);
            assertNull(files.mismatch(rules), "the files stay equal to /proc once the daemon has caught up");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ndaemon log:\n" + scratch.logText(), e);
        }
    }

    private void assertResyncReported() {
        Deadline.await("the daemon reports the overflow and the resync", () ->
                scratch.logText().contains(RESYNC_LOGGED) ? null : "log:\n" + scratch.logText());
        StatusFile status = StatusFile.read(scratch.mnt);
        assertTrue(status.number("overflows") > 0, ".status: " + status);
        assertTrue(status.number("resyncs") > 0, ".status: " + status);
    }

    private static List<Integer> pgrep(int uid) {
        ProcessResult r = ProcessResult.of("pgrep", "-u", Integer.toString(uid));
        List<Integer> pids = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.strip()));
            }
        }
        pids.sort(null);
        return pids;
    }
}
