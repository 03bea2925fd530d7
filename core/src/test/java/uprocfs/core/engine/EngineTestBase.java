package uprocfs.core.engine;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import uprocfs.core.FakeProc;
import uprocfs.core.event.EventBatch;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;

/** What the engine tests share: a fake /proc removed after each test, a batch, rule sets. */
abstract class EngineTestBase {
    static final long ANY = RuleSpec.ANY;
    final FakeProc proc = new FakeProc();
    final EventBatch batch = new EventBatch(64);

    @AfterEach
    void cleanUp() {
        proc.close();
    }

    static RuleSet rules(RuleSpec... specs) {
        return new RuleSet("test", Instant.now(), List.of(specs));
    }
}
