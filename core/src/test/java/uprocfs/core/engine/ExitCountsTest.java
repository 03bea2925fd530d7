package uprocfs.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import uprocfs.core.event.ExitStatus;
import uprocfs.core.rule.RuleSpec;
import uprocfs.testing.EngineDriver;

/** Who joined a set and how its members ended, as the metrics count them. */
class ExitCountsTest extends EngineTestBase {
    private void apply(EngineDriver engine) {
        engine.apply(batch);
        batch.clear();
    }

    @Test
    void theWaitStatusSaysHowAProcessEnded() {
        assertEquals(ExitStatus.OK, ExitStatus.of(0));
        assertEquals(ExitStatus.ERROR, ExitStatus.of(1 << 8));
        assertEquals(ExitStatus.ERROR, ExitStatus.of(255 << 8));
        assertEquals(ExitStatus.SIGNAL, ExitStatus.of(9));
        assertEquals(ExitStatus.SIGNAL, ExitStatus.of(11 | 0x80), "killed, with a core dump");
        assertEquals("signal", ExitStatus.SIGNAL.label());
    }

    @Test
    void exitsAreCountedByHowAndJoinsByEntry() {
        proc.process(1, 0, 0, 0, "init").process(100, 1, 1000, 0, "bash");
        EngineDriver engine = new EngineDriver(rules(new RuleSpec("u", 1000, ANY, null, 0)), proc.procFs).started();
        Namespace u = engine.namespace("u");
        assertEquals(1, u.joins(), "the process found at startup");
        batch.fork(100, 101, 101, 0);
        batch.fork(100, 102, 102, 0);
        batch.fork(100, 103, 103, 0);
        batch.exit(101, 101, 0, 0);
        batch.exit(102, 102, 2 << 8, 0);
        batch.exit(103, 103, 15, 0);
        apply(engine);
        assertEquals(4, u.joins());
        assertEquals(1, u.exits(ExitStatus.OK));
        assertEquals(1, u.exits(ExitStatus.ERROR));
        assertEquals(1, u.exits(ExitStatus.SIGNAL));
        // A process a repair finds gone ended in a way nobody saw: not counted.
        proc.gone(100);
        engine.rescan();
        assertEquals(3, u.exits(ExitStatus.OK) + u.exits(ExitStatus.ERROR) + u.exits(ExitStatus.SIGNAL));
        assertEquals(0, u.memberCount());
    }

    @Test
    void anUnchangedRuleKeepsItsCountersAcrossAReloadAndATemplatedFileAcrossItsAbsence() {
        proc.process(1, 0, 0, 0, "init").process(100, 1, 1000, 0, "bash");
        RuleSpec u = new RuleSpec("u", 1000, ANY, null, 0);
        RuleSpec perCmd = new RuleSpec("cmd.{cmd}", ANY, ANY, null, 0,
                new RuleSpec.More(false, false, true, null, null, null));
        EngineDriver engine = new EngineDriver(rules(u, perCmd), proc.procFs).started();
        proc.process(101, 100, 1000, 0, "job");
        batch.fork(100, 101, 101, 0);
        batch.exec(101, 101, 0);
        apply(engine);
        batch.exit(101, 101, 1 << 8, 0);
        apply(engine);
        assertEquals(null, engine.namespace("cmd.job"));
        proc.process(102, 100, 1000, 0, "job");
        batch.fork(100, 102, 102, 0);
        batch.exec(102, 102, 0);
        apply(engine);
        assertEquals(1, engine.namespace("cmd.job").exits(ExitStatus.ERROR), "the first job's exit is kept");
        assertEquals(1, engine.namespace("u").exits(ExitStatus.ERROR));

        engine.replaceRules(rules(u, new RuleSpec("v", 1000, ANY, null, 0)));
        assertEquals(1, engine.namespace("u").exits(ExitStatus.ERROR), "u is unchanged");
        assertEquals(0, engine.namespace("v").exits(ExitStatus.ERROR));
    }

    @Test
    void anExitAfterAnExecThatCouldNotBeReadIsCountedNowhere() {
        proc.process(1, 0, 0, 0, "init").process(100, 1, 0, 0, "bash");
        EngineDriver engine = new EngineDriver(rules(new RuleSpec("bash", ANY, ANY, "bash", 0)), proc.procFs)
                .started();
        // /bin/false from bash: fork, exec and exit in one batch, gone before it can be read.
        batch.fork(100, 101, 101, 0);
        batch.exec(101, 101, 0);
        batch.exit(101, 101, 1 << 8, 0);
        apply(engine);
        Namespace bash = engine.namespace("bash");
        assertEquals(0, bash.exits(ExitStatus.ERROR), "false's exit is not bash's");
        assertEquals(1, bash.memberCount());
    }

    @Test
    void anExitTheKernelNamedCountsInTheSetsOfWhatItRan() {
        proc.process(1, 0, 0, 0, "init").process(100, 1, 60000, 0, "bash");
        RuleSpec bash = new RuleSpec("bash", ANY, ANY, "bash", 0);
        RuleSpec falses = new RuleSpec("false", 60000, ANY, "false", 0);
        RuleSpec perCmd = new RuleSpec("cmd.{cmd}", ANY, ANY, null, 0,
                new RuleSpec.More(false, false, true, null, null, null));
        RuleSpec tree = new RuleSpec("tree", ANY, ANY, "bash", 0);
        RuleSpec underTree = new RuleSpec("in.tree", ANY, ANY, null, 0,
                new RuleSpec.More(false, false, false, "tree", null, null));
        RuleSpec byExe = new RuleSpec("by.exe", ANY, ANY, null, 0,
                new RuleSpec.More(false, false, false, null, "/usr/bin/false", null));
        EngineDriver engine = new EngineDriver(rules(bash, falses, perCmd, tree, underTree, byExe), proc.procFs)
                .started();
        java.util.Map<Integer, String> reported = new java.util.HashMap<>();
        engine.agent.exitNames(reported::remove);
        // Three /bin/false from bash, each gone before it could be read; the kernel named two.
        reported.put(101, "false");
        reported.put(102, "false");
        for (int pid = 101; pid <= 103; pid++) {
            batch.fork(100, pid, pid, 0);
            batch.exec(pid, pid, 0);
            batch.exit(pid, pid, 1 << 8, 0);
        }
        apply(engine);
        assertEquals(2, engine.namespace("false").exits(ExitStatus.ERROR));
        assertEquals(2, engine.namespace("false").joins());
        assertEquals(0, engine.namespace("false").memberCount());
        assertEquals(0, engine.namespace("bash").exits(ExitStatus.ERROR), "false's exits are not bash's");
        assertEquals(null, engine.namespace("cmd.false"), "no file: it has no member");
        assertEquals(2, engine.namespace("in.tree").exits(ExitStatus.ERROR), "started in bash's tree");
        assertEquals(0, engine.namespace("by.exe").exits(ExitStatus.ERROR),
                "the report has no executable: an exe rule cannot tell");
        assertEquals(1, engine.stats().get(uprocfs.core.stats.Metric.EXITS_UNNAMED));
        // The templated set's counters were kept for when it is shown.
        proc.process(104, 100, 60000, 0, "false");
        batch.fork(100, 104, 104, 0);
        batch.exec(104, 104, 0);
        apply(engine);
        assertEquals(2, engine.namespace("cmd.false").exits(ExitStatus.ERROR));
        assertEquals(1, engine.namespace("cmd.false").memberCount());
        assertEquals(3, engine.namespace("cmd.false").joins());
    }
}
