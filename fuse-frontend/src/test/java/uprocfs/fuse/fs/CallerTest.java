package uprocfs.fuse.fs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import uprocfs.core.rule.RuleSpec;

class CallerTest {
    private static final long ANY = RuleSpec.ANY;
    /** Whose request it is does not matter to which namespaces it may see. */
    private static final long PID = 4321;
    private static final RuleSpec UID = new RuleSpec("u", 1000, ANY, null, 1);
    private static final RuleSpec GID = new RuleSpec("g", ANY, 100, null, 2);
    private static final RuleSpec UID_AND_GID = new RuleSpec("ug", 1000, 100, null, 3);
    private static final RuleSpec CMD = new RuleSpec("c", ANY, ANY, "tar", 4);
    private static final RuleSpec UID_AND_CMD = new RuleSpec("uc", 1000, ANY, "tar", 5);

    @Test
    void rootSeesEverything() {
        Caller root = new Caller(0, 0, PID);
        for (RuleSpec rule : new RuleSpec[] {UID, GID, UID_AND_GID, CMD, UID_AND_CMD}) {
            assertTrue(root.maySee(rule), rule.name());
        }
    }

    @Test
    void aUserSeesTheRulesNamingTheirUid() {
        assertTrue(new Caller(1000, 5, PID).maySee(UID));
        assertTrue(new Caller(1000, 5, PID).maySee(UID_AND_CMD));
        assertFalse(new Caller(1001, 5, PID).maySee(UID));
        assertFalse(new Caller(1001, 5, PID).maySee(UID_AND_CMD));
    }

    @Test
    void aUserSeesTheRulesNamingTheirGid() {
        assertTrue(new Caller(1001, 100, PID).maySee(GID));
        assertFalse(new Caller(1001, 101, PID).maySee(GID));
    }

    @Test
    void aRuleWithUidAndGidNeedsBoth() {
        assertTrue(new Caller(1000, 100, PID).maySee(UID_AND_GID));
        assertFalse(new Caller(1000, 101, PID).maySee(UID_AND_GID));
        assertFalse(new Caller(1001, 100, PID).maySee(UID_AND_GID));
    }

    @Test
    void aCmdRuleAloneIsVisibleToEveryone() {
        assertTrue(new Caller(65534, 65534, PID).maySee(CMD));
    }
}
