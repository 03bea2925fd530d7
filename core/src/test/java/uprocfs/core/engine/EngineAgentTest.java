package uprocfs.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.core.event.EventBatch;
import uprocfs.testing.EngineDriver;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;

class EngineAgentTest extends EngineTestBase {
    private static RuleSpec uid(long uid, String name) {
        return new RuleSpec(name, uid, ANY, null, 0);
    }

    private static String text(Namespace ns) {
        return new String(ns.content(), StandardCharsets.US_ASCII);
    }

    private void apply(EngineDriver engine) {
        engine.apply(batch);
        batch.clear();
    }

    private EngineDriver startedWith(RuleSet rules) {
        return new EngineDriver(rules, proc.procFs).started();
    }

    @Test
    void startupScanFillsNamespacesFromProc() {
        proc.process(1, 0, 0, 0, "init").process(200, 1, 1000, 100, "bash").process(201, 200, 1000, 100, "vim");
        EngineDriver engine = startedWith(rules(uid(1000, "u1000"), uid(0, "root")));
        assertEquals("200\n201\n", text(engine.namespace("u1000")));
        assertEquals("1\n", text(engine.namespace("root")));
        assertEquals(3, engine.taskCount());
    }

    @Test
    void contentIsAscendingOneLinePerPidAndSizeIsExact() {
        proc.process(1, 0, 1000, 0, "a").process(99999, 1, 1000, 0, "a").process(10, 1, 1000, 0, "a")
                .process(4194304, 1, 1000, 0, "a");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        Namespace ns = engine.namespace("u");
        assertEquals("1\n10\n99999\n4194304\n", text(ns));
        assertEquals(ns.content().length, ns.byteSize());
        assertEquals(4, ns.memberCount());
    }

    @Test
    void ownedByKeepsOnlyTheCallersProcessesInOrder() {
        proc.process(1, 0, 0, 50, "a").process(2, 0, 1000, 50, "a").process(3, 0, 1000, 50, "a");
        EngineDriver engine = startedWith(rules(new RuleSpec("g", ANY, 50, null, 0)));
        assertArrayEquals(new int[] {2, 3}, engine.ownedBy(engine.namespace("g").pids(), 1000));
        assertEquals("2\n3\n", new String(Namespace.render(new int[] {2, 3}), StandardCharsets.US_ASCII));
    }

    @Test
    void emptyNamespaceIsAnEmptyFile() {
        proc.process(1, 0, 0, 0, "init");
        EngineDriver engine = startedWith(rules(uid(4242, "nobody-here")));
        assertEquals(0, engine.namespace("nobody-here").byteSize());
        assertEquals("", text(engine.namespace("nobody-here")));
    }

    @Test
    void forkedChildInheritsParentNamespacesWithoutReadingProc() {
        proc.process(100, 1, 1000, 50, "bash");
        EngineDriver engine = startedWith(rules(uid(1000, "u"), new RuleSpec("g", ANY, 50, null, 0),
                new RuleSpec("c", ANY, ANY, "bash", 0)));
        // the child has no /proc entry: inheritance must not need one
        batch.fork(100, 101, 101, 0);
        apply(engine);
        assertEquals("100\n101\n", text(engine.namespace("u")));
        assertEquals("100\n101\n", text(engine.namespace("g")));
        assertEquals("100\n101\n", text(engine.namespace("c")));
    }

    @Test
    void threadsAreNotListedAsProcesses() {
        proc.process(100, 1, 1000, 0, "java");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        for (int t = 101; t <= 110; t++) {
            batch.fork(100, t, 100, 0);
        }
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")));
        for (int t = 101; t <= 110; t++) {
            batch.exit(t, 100, 0);
        }
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")), "a thread ending does not end its process");
        assertEquals(20, engine.stats().get(Metric.THREAD_EVENTS));
    }

    @Test
    void aLeaderThatExitsBeforeItsThreadsLeavesTheProcessListedUntilTheLastThreadEnds() {
        proc.process(100, 1, 1000, 0, "java");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        batch.fork(100, 101, 100, 0);
        batch.fork(100, 102, 100, 0);
        batch.exit(100, 100, 0); // pthread_exit in main
        proc.zombieLeader(100, 1, 1000, 0, "java", 3);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")));
        batch.exit(101, 100, 0);
        proc.zombieLeader(100, 1, 1000, 0, "java", 2);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")));
        batch.exit(102, 100, 0);
        proc.zombieLeader(100, 1, 1000, 0, "java", 1); // the last thread is released before its EXIT
        apply(engine);
        assertEquals("", text(engine.namespace("u")));
    }

    @Test
    void threadsThatPredateTheScanAreKnownFromStatus() {
        proc.process(100, 1, 1000, 0, "java", "S (sleeping)", 3);
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        batch.exit(100, 100, 0);
        proc.zombieLeader(100, 1, 1000, 0, "java", 3);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")), "two threads still run");
        batch.exit(101, 100, 0);
        batch.exit(102, 100, 0);
        proc.gone(100);
        apply(engine);
        assertEquals("", text(engine.namespace("u")));
    }

    @Test
    void threadsSeenBothInProcAndAsQueuedForksDoNotKeepAnEndedProcess() {
        // The exec's /proc read already shows two threads whose FORK events are still queued.
        proc.process(100, 1, 0, 0, "sh");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        proc.process(100, 1, 1000, 0, "java", "S (sleeping)", 3);
        batch.exec(100, 100, 0);
        batch.fork(100, 101, 100, 0);
        batch.fork(100, 102, 100, 0);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")));
        batch.exit(101, 100, 0);
        batch.exit(102, 100, 0);
        batch.exit(100, 100, 0);
        proc.zombieLeader(100, 1, 1000, 0, "java", 1);
        apply(engine);
        assertEquals("", text(engine.namespace("u")));
    }

    @Test
    void aSingleThreadedProcessLeavesAtItsExitWithoutReadingProc() {
        proc.process(100, 1, 1000, 0, "sh");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        // /proc still shows it (say, a zombie not yet reaped, or a slow read): the event decides
        batch.exit(100, 100, 0);
        apply(engine);
        assertEquals("", text(engine.namespace("u")));
    }

    @Test
    void processLeavesWhenItExitsAsAWhole() {
        proc.process(100, 1, 1000, 0, "sh");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        batch.fork(100, 101, 101, 0);
        batch.exit(101, 101, 0);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u")));
        assertNull(engine.task(101));
    }

    @Test
    void commChangeMovesProcessBetweenNamespaces() {
        proc.process(100, 1, 1000, 0, "worker");
        EngineDriver engine = startedWith(rules(new RuleSpec("workers", ANY, ANY, "worker", 0),
                new RuleSpec("renamed", ANY, ANY, "renamed", 0)));
        batch.comm(100, 100, "renamed".getBytes(StandardCharsets.US_ASCII), 0);
        apply(engine);
        assertEquals("", text(engine.namespace("workers")));
        assertEquals("100\n", text(engine.namespace("renamed")));
    }

    @Test
    void commOfANonLeaderThreadDoesNotRenameTheProcess() {
        proc.process(100, 1, 1000, 0, "worker");
        EngineDriver engine = startedWith(rules(new RuleSpec("workers", ANY, ANY, "worker", 0)));
        batch.comm(105, 100, "pool-1".getBytes(StandardCharsets.US_ASCII), 0);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("workers")));
    }

    @Test
    void execRereadsNameAndEffectiveIdsFromProc() {
        proc.process(100, 1, 1000, 1000, "bash");
        EngineDriver engine = startedWith(rules(uid(1000, "u1000"), uid(0, "root"),
                new RuleSpec("passwd", 0, ANY, "passwd", 0)));
        // a setuid binary: euid changes with the exec, and no UID event comes
        proc.process(100, 1, 0, 1000, "passwd");
        batch.exec(100, 100, 0);
        apply(engine);
        assertEquals("", text(engine.namespace("u1000")));
        assertEquals("100\n", text(engine.namespace("root")));
        assertEquals("100\n", text(engine.namespace("passwd")));
    }

    @Test
    void anExecWhoseProcessExitsLaterInTheBatchLeavesNothingBehind() {
        proc.process(100, 1, 1000, 1000, "bash");
        EngineDriver engine = startedWith(rules(uid(1000, "u1000"), new RuleSpec("true", ANY, ANY, "true", 0)));
        batch.fork(100, 101, 101, 0);
        batch.exec(101, 101, 0);
        batch.exit(101, 101, 0);
        apply(engine);
        assertEquals("100\n", text(engine.namespace("u1000")));
        assertEquals("", text(engine.namespace("true")));
        assertNull(engine.task(101));
    }

    @Test
    void anExecBeforeAnExitOfTheSamePidIsNotSkippedForTheNextProcessThatReusesIt() {
        proc.process(100, 1, 1000, 1000, "bash").process(101, 100, 1000, 1000, "old");
        EngineDriver engine = startedWith(rules(uid(1000, "u1000"), new RuleSpec("vim", ANY, ANY, "vim", 0)));
        batch.exec(101, 101, 0);
        batch.exit(101, 101, 0);
        batch.fork(100, 101, 101, 0); // the pid comes back as a new child of 100
        batch.exec(101, 101, 0);
        proc.process(101, 100, 1000, 1000, "vim");
        apply(engine);
        assertEquals("101\n", text(engine.namespace("vim")), "the second exec was read from /proc");
    }

    @Test
    void anExecIsReadWhenThreadsStartBeforeItsLeaderExits() {
        proc.process(100, 1, 1000, 1000, "bash");
        EngineDriver engine = startedWith(rules(uid(1000, "u1000"), uid(0, "root")));
        batch.fork(100, 101, 101, 0);
        batch.exec(101, 101, 0);            // a setuid binary
        batch.fork(101, 102, 101, 0);  // starts a thread
        batch.exit(101, 101, 0);      // pthread_exit in main: the process runs on
        proc.zombieLeader(101, 100, 0, 1000, "daemon", 2);
        apply(engine);
        assertEquals("101\n", text(engine.namespace("root")));
        assertEquals("100\n", text(engine.namespace("u1000")));
    }

    @Test
    void uidAndGidEventsUseTheEffectiveIdTheyCarry() {
        proc.process(100, 1, 0, 0, "sshd");
        EngineDriver engine = startedWith(rules(uid(0, "root"), uid(1000, "u1000"),
                new RuleSpec("g33", ANY, 33, null, 0)));
        batch.uid(100, 100, 1000, 0);
        batch.gid(100, 100, 33, 0);
        apply(engine);
        assertEquals("", text(engine.namespace("root")));
        assertEquals("100\n", text(engine.namespace("u1000")));
        assertEquals("100\n", text(engine.namespace("g33")));
    }

    @Test
    void everyCombinationOfKeysIsAnded() {
        proc.process(1, 0, 1000, 50, "tar").process(2, 0, 1000, 51, "tar").process(3, 0, 1001, 50, "tar")
                .process(4, 0, 1000, 50, "gzip");
        EngineDriver engine = startedWith(rules(
                new RuleSpec("u", 1000, ANY, null, 0),
                new RuleSpec("g", ANY, 50, null, 0),
                new RuleSpec("c", ANY, ANY, "tar", 0),
                new RuleSpec("ug", 1000, 50, null, 0),
                new RuleSpec("uc", 1000, ANY, "tar", 0),
                new RuleSpec("gc", ANY, 50, "tar", 0),
                new RuleSpec("ugc", 1000, 50, "tar", 0)));
        assertEquals("1\n2\n4\n", text(engine.namespace("u")));
        assertEquals("1\n3\n4\n", text(engine.namespace("g")));
        assertEquals("1\n2\n3\n", text(engine.namespace("c")));
        assertEquals("1\n4\n", text(engine.namespace("ug")));
        assertEquals("1\n2\n", text(engine.namespace("uc")));
        assertEquals("1\n3\n", text(engine.namespace("gc")));
        assertEquals("1\n", text(engine.namespace("ugc")));
    }

    @Test
    void exitForUnknownPidIsANoOpAndForkForKnownPidReplacesIt() {
        proc.process(100, 1, 1000, 0, "bash").process(300, 1, 2000, 0, "other");
        EngineDriver engine = startedWith(rules(uid(1000, "u1000"), uid(2000, "u2000")));
        batch.exit(555, 555, 0);
        // replayed after a scan that already saw 300 under another identity
        batch.fork(100, 300, 300, 0);
        apply(engine);
        assertEquals("100\n300\n", text(engine.namespace("u1000")));
        assertEquals("", text(engine.namespace("u2000")));
    }

    @Test
    void forkFromUnknownParentReadsTheChildFromProc() {
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        proc.process(400, 399, 1000, 0, "orphan");
        batch.fork(399, 400, 400, 0);
        apply(engine);
        assertEquals("400\n", text(engine.namespace("u")));
    }

    @Test
    void rescanRepairsWhatLostEventsLeftWrong() {
        proc.process(100, 1, 1000, 0, "a").process(101, 1, 1000, 0, "b");
        EngineDriver engine = startedWith(rules(uid(1000, "u"), uid(2000, "v")));
        proc.gone(100).process(101, 1, 2000, 0, "b").process(102, 1, 1000, 0, "c");
        Reconciliation r = engine.rescan();
        assertEquals(1, r.added());
        assertEquals(1, r.removed());
        assertEquals(1, r.changed());
        assertEquals("102\n", text(engine.namespace("u")));
        assertEquals("101\n", text(engine.namespace("v")));
        assertEquals(0, engine.rescan().repairs(), "a second scan finds nothing to fix");
    }

    @Test
    void auditCountsOnlyDifferencesThatOutliveTheEventQueue() {
        proc.process(100, 1, 1000, 0, "a").process(101, 1, 1000, 0, "b");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        // 102 is forked (its event still queued) and 101 really drifted: its exit was lost
        proc.process(102, 100, 1000, 0, "a").gone(101);
        int[] findings = engine.auditScan();
        assertEquals(2, findings.length);
        assertEquals("100\n101\n", text(engine.namespace("u")), "the scan alone changes nothing");
        batch.fork(100, 102, 102, 0);
        apply(engine);
        Reconciliation r = engine.auditConfirm(findings);
        assertEquals(1, r.repairs());
        assertEquals(1, r.removed());
        assertEquals("100\n102\n", text(engine.namespace("u")));
        assertEquals(1, engine.stats().get(Metric.AUDIT_REPAIRS));
        assertEquals(0, engine.auditConfirm(engine.auditScan()).repairs(), "a healthy table audits clean");
    }

    @Test
    void replaceRulesFillsNewNamespacesFromTheTaskTable() {
        proc.process(100, 1, 1000, 0, "a");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        Namespace before = engine.namespace("u");
        proc.gone(100); // nothing is rescanned: the table is the source
        engine.replaceRules(rules(uid(1000, "u"), uid(1000, "again"), new RuleSpec("c", ANY, ANY, "a", 0)));
        assertEquals("100\n", text(engine.namespace("again")));
        assertEquals("100\n", text(engine.namespace("c")));
        assertEquals(before.mtimeMillis(), engine.namespace("u").mtimeMillis(), "an unchanged rule keeps its mtime");
        engine.replaceRules(rules(uid(1000, "again")));
        assertNull(engine.namespace("u"));
        assertEquals(1, engine.namespaces().size());
        // events after the swap are applied to the new namespaces
        batch.exit(100, 100, 0);
        apply(engine);
        assertEquals("", text(engine.namespace("again")));
    }

    @Test
    void contentSnapshotIsNotChangedByLaterEvents() {
        proc.process(100, 1, 1000, 0, "a");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        byte[] snapshot = engine.namespace("u").content();
        batch.fork(100, 101, 101, 0);
        apply(engine);
        assertEquals("100\n", new String(snapshot, StandardCharsets.US_ASCII));
        assertEquals("100\n101\n", text(engine.namespace("u")));
    }

    @Test
    void mtimeMovesOnlyWhenMembershipChanges() throws Exception {
        proc.process(100, 1, 1000, 0, "a");
        EngineDriver engine = startedWith(rules(uid(1000, "u"), uid(2000, "v")));
        long u0 = engine.namespace("u").mtimeMillis();
        long v0 = engine.namespace("v").mtimeMillis();
        Thread.sleep(5);
        batch.fork(100, 101, 101, 0);
        apply(engine);
        assertTrue(engine.namespace("u").mtimeMillis() > u0);
        assertEquals(v0, engine.namespace("v").mtimeMillis());
    }

    @Test
    void uidsAboveTwoToThe31AreMatched() {
        proc.process(100, 1, (int) 4294967294L, 0, "a");
        EngineDriver engine = startedWith(rules(uid(4294967294L, "big")));
        assertEquals("100\n", text(engine.namespace("big")));
    }

    @Test
    void statsCountEventsByKindAndLag() {
        proc.process(100, 1, 1000, 0, "a");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        batch.fork(100, 101, 101, System.nanoTime());
        batch.exit(101, 101, System.nanoTime());
        apply(engine);
        Counters.Snapshot s = engine.stats();
        assertEquals(1L, s.get(Metric.EVENTS_FORK));
        assertEquals(1L, s.get(Metric.EVENTS_EXIT));
        assertEquals(0L, s.get(Metric.EVENTS_OTHER));
        assertEquals(2, s.lag().count());
    }

    /**
     * The counters a reader sees belong to one moment: every event counted has its lag
     * recorded in the same snapshot. (Before the registry, the lag was recorded after the
     * write lock was released and read under the read lock, so a reader could see a batch's
     * events without their lag.)
     */
    @Test
    void countersAreReadConsistentlyWhileBatchesAreApplied() throws Exception {
        proc.process(100, 1, 1000, 0, "a");
        EngineDriver engine = startedWith(rules(uid(1000, "u")));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread loop = new Thread(() -> {
            EventBatch b = new EventBatch(64);
            for (int round = 0; round < 20_000; round++) {
                b.clear();
                for (int k = 0; k < 16; k++) {
                    b.fork(100, 200 + k, 200 + k, System.nanoTime());
                    b.exit(200 + k, 200 + k, System.nanoTime());
                }
                engine.apply(b);
            }
            done.set(true);
        }, "test-event-loop");
        loop.start();
        long reads = 0;
        try {
            while (!done.get()) {
                Counters.Snapshot s = engine.agent.view().counters();
                long events = s.get(Metric.EVENTS_FORK) + s.get(Metric.EVENTS_EXIT);
                assertEquals(events, s.lag().count(), "events counted and lags recorded, in one snapshot");
                reads++;
            }
        } finally {
            loop.join();
        }
        assertTrue(reads > 0);
        assertEquals(640_000, engine.stats().lag().count());
    }

    @Test
    void randomEventSequencesKeepNamespacesEqualToAModel() {
        // The model: a plain map of pid -> uid, updated by the same events.
        java.util.Random rnd = new java.util.Random(42);
        proc.process(1, 0, 0, 0, "init");
        EngineDriver engine = startedWith(rules(uid(0, "u0"), uid(1, "u1"), uid(2, "u2")));
        java.util.Map<Integer, Integer> model = new java.util.HashMap<>();
        model.put(1, 0);
        int nextPid = 2;
        for (int round = 0; round < 200; round++) {
            for (int e = 0; e < 40; e++) {
                List<Integer> live = new ArrayList<>(model.keySet());
                int pick = live.get(rnd.nextInt(live.size()));
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        int child = nextPid++;
                        batch.fork(pick, child, child, 0);
                        model.put(child, model.get(pick));
                    }
                    case 1 -> {
                        if (pick != 1) {
                            batch.exit(pick, pick, 0);
                            model.remove(pick);
                        }
                    }
                    default -> {
                        int u = rnd.nextInt(3);
                        batch.uid(pick, pick, u, 0);
                        model.put(pick, u);
                    }
                }
            }
            apply(engine);
        }
        for (int u = 0; u < 3; u++) {
            final int uu = u;
            int[] expected = model.entrySet().stream().filter(en -> en.getValue() == uu)
                    .mapToInt(java.util.Map.Entry::getKey).sorted().toArray();
            assertArrayEquals(expected, engine.namespace("u" + u).pids(), "namespace u" + u);
            long size = 0;
            for (int p : expected) {
                size += Integer.toString(p).length() + 1;
            }
            assertEquals(size, engine.namespace("u" + u).byteSize());
        }
    }
}
