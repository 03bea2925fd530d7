package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.GroundTruth;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.testing.ProcessResult;
import uprocfs.fuse.it.StatusFile;
import uprocfs.testing.Deadline;

/**
 * Events are lost when the daemon falls behind: the kernel drops what no longer fits in the
 * socket's receive queue and says only that something was dropped (ENOBUFS). The daemon
 * must then resynchronize with /proc, so that the files tell the truth again soon after,
 * stay true, and say that it happened. Here the daemon is frozen with SIGSTOP, with a queue
 * made small ({@code -o rcvbuf}), and processes fork and exit until the kernel reports that
 * it dropped events for the daemon's socket ({@link ConnectorQueue}): the overflow is made
 * certain and checked, at whatever speed the machine forks.
 */
@Tag("root")
class StallTest extends MountedDaemonTest {
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
    /**
     * A queue the kernel doubles to 512 KiB: some 630 events of 832 bytes, which two fork
     * loops fill in a few hundred pairs.
     */
    private static final String SMALL_QUEUE = "rcvbuf=256K";
    /** Processes started during the stall, each a FORK and an EXEC that the kernel drops. */
    private static final int STARTED = 200;
    /**
     * A queue of some 10,000 events (8 MiB granted): room for {@link #KEPT_PAIRS} fork/exit
     * pairs and {@link #WAITING} forks, which then must all be kept.
     */
    private static final String QUEUE_FOR_TEN_THOUSAND = "rcvbuf=4M";
    /**
     * Fork/exit pairs queued before the forks of the waiting subshells: 5,000 events, more than
     * the 4,096 the daemon applies in one batch, so that a daemon which discarded only a batch
     * after an overflow would still apply those forks.
     */
    private static final int KEPT_PAIRS = 2_500;
    /** Subshells forked by root before the overflow, which become CHANGED_UID's after it. */
    private static final int WAITING = 200;

    private static final Rule MARKER = Rule.uid(MARKER_UID, "marker");

    private NamespaceFiles files;
    private ConnectorQueue queue;
    private StoppedDaemon stopped;

    @Test
    void filesEqualProcWithinTwoSecondsOfAStallThatLostEvents() {
        Rule started = Rule.uid(STARTED_UID, "stalled");
        Rule churned = Rule.uid(CHURN_UID, "churned");
        List<Rule> rules = List.of(started, churned);
        mount(rules, SMALL_QUEUE);

        stop();
        ConnectorQueue.Reading overflowed = overflow();
        Herd herd = closeAfter(Herd.of(STARTED_UID, STARTED_UID, "sleep"));
        long spawning = System.nanoTime();
        List<Integer> stalledPids = herd.spawn(STARTED);
        Deadline.printLoad(STARTED + " processes started during the stall", spawning);
        Deadline.await("/proc shows the " + STARTED + " new processes", () -> {
            List<Integer> truth = GroundTruth.runningPids(started::matches);
            return truth.containsAll(stalledPids) ? null : truth.size() + " so far";
        });
        ConnectorQueue.Reading after = queue.read();
        assertTrue(after.drops() - overflowed.drops() >= STARTED, "the kernel dropped the forks of the "
                + STARTED + " new processes, so only a resync can find them: " + overflowed + ", then " + after);

        resumeAndAwaitTruth(rules);
        List<Integer> pgrep = NamespaceFiles.pgrep(STARTED_UID);
        List<Integer> listed = files.pids(started.name());
        assertTrue(listed.equals(pgrep), "stalled equals pgrep -u " + STARTED_UID + ": "
                + NamespaceFiles.difference(listed, pgrep) + "\ndaemon log:\n" + scratch.logText());
        assertTrue(listed.containsAll(stalledPids));
        assertResyncReported();
    }

    /**
     * The kernel reports ENOBUFS before the datagrams still queued, and those are older than
     * any rescan made after it. Here {@value #WAITING} subshells are forked by root while the
     * queue still has room (their FORK events are kept, behind more events than a batch), and
     * become sleeps of {@link #CHANGED_UID} after it overflowed (their UID, GID and EXEC events
     * are lost): the rescan finds them right, and a FORK applied after it would make them
     * root's again, with nothing left to repair it.
     */
    @Test
    void eventsQueuedBeforeAnOverflowDoNotUndoTheResync() throws IOException {
        Rule changed = Rule.uid(CHANGED_UID, "changed");
        Rule churned = Rule.uid(CHURN_UID, "churned");
        List<Rule> rules = List.of(changed, churned);
        mount(rules, QUEUE_FOR_TEN_THOUSAND);
        Path fifo = scratch.dir.resolve("go");
        ProcessResult mkfifo = ProcessResult.of("mkfifo", "-m", "600", fifo.toString());
        assertTrue(mkfifo.exitCode() == 0, mkfifo.toString());

        stop();
        Churn kept = closeAfter(Churn.forkExits(CHURN_UID, CHURN_LOOPS, KEPT_PAIRS / CHURN_LOOPS));
        kept.awaitEnd(KEPT_PAIRS + " fork/exit pairs queued");
        Herd herd = closeAfter(Herd.ofCommandLine(0, 0, "{ read -r _ < '" + fifo + "'; exec setpriv --reuid="
                + CHANGED_UID + " --regid=" + CHANGED_UID + " --clear-groups sleep 1000; }"));
        List<Integer> waiting = herd.spawn(WAITING);
        ConnectorQueue.Reading queued = queue.read();
        assertEquals(0, queued.drops(), "the queue kept every event so far, the forks of the " + WAITING
                + " subshells last: " + queued);

        ConnectorQueue.Reading overflowed = overflow();
        try (OutputStream go = Files.newOutputStream(fifo)) {
            // One line each (bash reads a fifo a byte at a time); open until all have read theirs.
            go.write("\n".repeat(waiting.size()).getBytes(StandardCharsets.US_ASCII));
            go.flush();
            Deadline.awaitLoad("the " + WAITING + " subshells become sleeps of " + CHANGED_UID, () -> {
                List<Integer> truth = GroundTruth.runningPids(s -> changed.matches(s) && s.name().equals("sleep"));
                return truth.containsAll(waiting) ? null : truth.size() + " so far";
            });
        }
        ConnectorQueue.Reading after = queue.read();
        assertTrue(after.drops() - overflowed.drops() >= WAITING, "the kernel dropped the exec and id events of "
                + "the " + WAITING + " subshells: " + overflowed + ", then " + after);

        resumeAndAwaitTruth(rules);
        assertTrue(files.pids(changed.name()).containsAll(waiting));
        assertResyncReported();
    }

    private void mount(List<Rule> rules, String receiveBuffer) {
        List<Rule> all = new ArrayList<>(rules);
        all.add(MARKER);
        scratch.config(Rule.config(all));
        mount("-o", receiveBuffer);
        files = new NamespaceFiles(scratch.mnt);
        files.awaitTruth("the files start out right", Deadline.DEFAULT, rules);
        queue = ConnectorQueue.of(uproc.pid());
    }

    /**
     * Forks and exits processes until the kernel has dropped events for the stopped daemon's
     * socket, and returns the queue as it then is: congested, dropping every event from here.
     */
    private ConnectorQueue.Reading overflow() {
        Churn churn = closeAfter(Churn.untilStopped(scratch.dir.resolve("stop-churn"), CHURN_UID, "(:)", "(:)"));
        Deadline.awaitLoad("fork/exit pairs until the daemon's queue overflowed", () -> {
            ConnectorQueue.Reading now = queue.read();
            return now.drops() > 0 ? null : now.toString();
        });
        churn.stop();
        ConnectorQueue.Reading overflowed = queue.read();
        System.out.println("stall: the daemon's queue overflowed: " + overflowed);
        return overflowed;
    }

    /** SIGSTOP; resumed after the test whatever happens: a stopped daemon answers nothing, not even SIGTERM. */
    private void stop() {
        stopped = closeAfter(StoppedDaemon.stop(uproc));
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
        System.out.printf("stall: .status says overflows %d, resyncs %d, resync_repairs %d%n",
                status.number("overflows"), status.number("resyncs"), status.number("resync_repairs"));
        assertTrue(status.number("overflows") > 0, ".status: " + status);
        assertTrue(status.number("resyncs") > 0, ".status: " + status);
    }
}
