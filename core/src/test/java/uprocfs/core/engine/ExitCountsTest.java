package uprocfs.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import uprocfs.core.FakeProc;
import uprocfs.core.event.EventBatch;
import uprocfs.core.event.ExitStatus;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.testing.EngineDriver;

/** Who joined a set and how its members ended, as the metrics count them. */
class ExitCountsTest {
    private static final long ANY = RuleSpec.ANY;
    private final FakeProc proc = new FakeProc();
    private final EventBatch batch = new EventBatch(64);

    @AfterEach
    void cleanUp() {
        proc.close();
    }

    private static RuleSet rules(RuleSpec... specs) {
        return new RuleSet("test", Instant.now(), List.of(specs));
    }

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
}
