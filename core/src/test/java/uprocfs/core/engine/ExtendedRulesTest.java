package uprocfs.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.stats.Metric;
import uprocfs.testing.EngineDriver;

/**
 * Templates, process trees, executables and command lines, on synthetic events: what each
 * set holds after each kind of event, and when templated files come and go.
 */
class ExtendedRulesTest extends EngineTestBase {
    private static final RuleSpec.More NONE = RuleSpec.More.NONE;

    private static RuleSpec rule(String name, long uid, long gid, String cmd, RuleSpec.More more) {
        return new RuleSpec(name, uid, gid, cmd, 0, more);
    }

    private static RuleSpec.More stars(boolean uid, boolean gid, boolean cmd) {
        return new RuleSpec.More(uid, gid, cmd, null, null, null);
    }

    private static RuleSpec.More under(String name) {
        return new RuleSpec.More(false, false, false, name, null, null);
    }

    /** The names the lookup knows; any other id has none. */
    private static AccountLookup names(Map<Integer, String> users, Map<Integer, String> groups) {
        return (group, id, answer) -> answer.named(group, id, (group ? groups : users).get(id));
    }

    private EngineDriver started(RuleSet rules, AccountLookup accounts, int max) {
        return new EngineDriver(rules, proc.procFs, max, accounts).started();
    }

    private void apply(EngineDriver engine) {
        engine.apply(batch);
        batch.clear();
        engine.agent.doWork();
    }

    private static String text(EngineDriver engine, String name) {
        Namespace ns = engine.namespace(name);
        return ns == null ? null : new String(ns.content(), StandardCharsets.US_ASCII);
    }

    private static List<String> names(EngineDriver engine) {
        List<String> out = new ArrayList<>();
        for (Namespace ns : engine.namespaces()) {
            out.add(ns.name());
        }
        return out;
    }

    @Test
    void oneFilePerUserNamedFromTheAccountsAndGoneWithItsLastMember() {
        proc.process(1, 0, 0, 0, "init").process(200, 1, 1000, 100, "bash").process(300, 1, 1001, 100, "sh");
        EngineDriver engine = started(rules(rule("user.{user}", ANY, ANY, null, stars(true, false, false))),
                names(Map.of(0, "root", 1000, "alice"), Map.of()), 100);
        assertEquals(List.of("user.1001", "user.alice", "user.root"), names(engine));
        assertEquals("200\n", text(engine, "user.alice"));
        // Whoever may see uid 1000's rules may see this file: its rule carries the uid.
        assertEquals(1000, engine.namespace("user.alice").rule().uid());

        batch.fork(200, 201, 201, 0);
        batch.exit(200, 200, 0);
        apply(engine);
        assertEquals("201\n", text(engine, "user.alice"));
        batch.exit(201, 201, 0);
        apply(engine);
        assertNull(engine.namespace("user.alice"), "the file goes with its last member");
        assertEquals(List.of("user.1001", "user.root"), names(engine));
        assertEquals(2, engine.stats().get(Metric.TEMPLATED_FILES));

        // A process that becomes uid 1000 brings the file back.
        batch.uid(300, 300, 1000, 0);
        apply(engine);
        assertEquals("300\n", text(engine, "user.alice"));
        assertNull(engine.namespace("user.1001"));
    }

    @Test
    void aFileWaitsForItsNameWhileItsMembersAreKept() {
        List<Runnable> pending = new ArrayList<>();
        AccountLookup slow = (group, id, answer) -> pending.add(() -> answer.named(group, id, id == 1002 ? "bob" : null));
        proc.process(1, 0, 0, 0, "init").process(400, 1, 1002, 100, "bash");
        EngineDriver engine = started(rules(rule("user.{user}", ANY, ANY, null, stars(true, false, false))), slow,
                100);
        assertEquals(List.of(), names(engine), "no file before its name is known");
        batch.fork(400, 401, 401, 0);
        apply(engine);
        assertEquals(2, pending.size(), "each uid asked about once: " + pending.size());
        pending.forEach(Runnable::run);
        engine.agent.doWork();
        assertEquals("400\n401\n", text(engine, "user.bob"));
        assertEquals(List.of("user.0", "user.bob"), names(engine));
    }

    @Test
    void valuesThatCannotStandInAFileNameAreEscapedNotDropped() {
        proc.process(1, 0, 0, 0, "init").process(10, 1, 0, 0, "a/b").process(11, 1, 0, 0, ".x")
                .process(12, 1, 0, 0, "50%");
        EngineDriver engine = started(rules(rule("cmd.{cmd}", ANY, ANY, null, stars(false, false, true))),
                AccountLookup.NUMBERS, 100);
        assertEquals(List.of("cmd.%2Ex", "cmd.50%25", "cmd.a%2Fb", "cmd.init"), names(engine));
        // A rename moves the process, as the original never did.
        batch.comm(10, 10, "tar".getBytes(StandardCharsets.US_ASCII), 0);
        apply(engine);
        assertEquals("10\n", text(engine, "cmd.tar"));
        assertNull(engine.namespace("cmd.a%2Fb"));
    }

    @Test
    void keysCombineAndAFixedNameIsNeverTakenByATemplate() {
        proc.process(1, 0, 0, 0, "init").process(20, 1, 1000, 100, "make").process(21, 1, 1000, 100, "cc")
                .process(22, 1, 1000, 5, "make");
        EngineDriver engine = started(rules(
                new RuleSpec("staff.make", ANY, 5, null, 0),
                rule("staff.{cmd}", ANY, 100, null, stars(false, false, true)),
                rule("{user}.{cmd}", ANY, ANY, null, stars(true, false, true))),
                names(Map.of(1000, "alice", 0, "root"), Map.of()), 100);
        assertEquals("22\n", text(engine, "staff.make"), "the fixed rule keeps its name");
        assertEquals("21\n", text(engine, "staff.cc"));
        assertEquals("20\n22\n", text(engine, "alice.make"));
        assertEquals(1, engine.stats().get(Metric.TEMPLATED_NAMES_REFUSED));
    }

    @Test
    void pastTheLimitNoFileIsMadeAndTheRefusalIsCounted() {
        proc.process(1, 0, 0, 0, "a").process(2, 1, 0, 0, "b").process(3, 1, 0, 0, "c");
        EngineDriver engine = started(rules(rule("cmd.{cmd}", ANY, ANY, null, stars(false, false, true))),
                AccountLookup.NUMBERS, 2);
        assertEquals(2, names(engine).size(), names(engine).toString());
        assertEquals(1, engine.stats().get(Metric.TEMPLATED_OVER_LIMIT));
    }

    @Test
    void aTreeKeepsEveryProcessItsMembersStartedThroughExitsExecsAndReparenting() {
        proc.process(1, 0, 0, 0, "init").process(100, 1, 0, 0, "sshd");
        EngineDriver engine = started(rules(new RuleSpec("sshd", ANY, ANY, "sshd", 0),
                rule("sessions.1000", 1000, ANY, null, under("sshd")),
                rule("all", ANY, ANY, null, under("sshd")),
                rule("builds", ANY, ANY, "make", under("sessions.1000"))), AccountLookup.NUMBERS, 100);
        assertEquals("100\n", text(engine, "all"), "a member of the root is in its tree");
        batch.fork(100, 101, 101, 0);
        apply(engine);
        assertEquals("", text(engine, "sessions.1000"), "uid 0 yet");
        batch.uid(101, 101, 1000, 0);
        batch.comm(101, 101, "bash".getBytes(StandardCharsets.US_ASCII), 0);
        batch.fork(101, 102, 102, 0);
        batch.exit(101, 101, 0);
        apply(engine);
        assertEquals("102\n", text(engine, "sessions.1000"), "the parent's exit takes no child out");
        // A double-forked daemon: its parent exits, it is re-parented to init; and it execs.
        proc.process(103, 1, 1000, 0, "make");
        batch.fork(102, 103, 103, 0);
        batch.exit(102, 102, 0);
        batch.exec(103, 103, 0);
        apply(engine);
        assertEquals("103\n", text(engine, "sessions.1000"));
        assertEquals("103\n", text(engine, "builds"), "a tree under a tree");
        assertEquals("100\n103\n", text(engine, "all"));
        // Outside the tree, the same identity is in no tree set.
        proc.process(500, 1, 1000, 0, "make");
        batch.fork(1, 500, 500, 0);
        batch.exec(500, 500, 0);
        apply(engine);
        assertEquals("103\n", text(engine, "builds"));
    }

    @Test
    void atStartupTheTreeIsRebuiltFromParentLinks() {
        // Listed children first: the order of a scan is no order of parents.
        proc.process(7, 6, 1000, 0, "vim").process(6, 5, 1000, 0, "bash").process(5, 1, 0, 0, "sshd")
                .process(1, 0, 0, 0, "init").process(8, 1, 1000, 0, "bash");
        EngineDriver engine = started(rules(new RuleSpec("sshd", ANY, ANY, "sshd", 0),
                rule("sessions", 1000, ANY, null, under("sshd"))), AccountLookup.NUMBERS, 100);
        assertEquals("6\n7\n", text(engine, "sessions"));
        // A resync keeps what is known and adds the rest the same way.
        proc.process(9, 7, 1000, 0, "sh");
        engine.rescan();
        assertEquals("6\n7\n9\n", text(engine, "sessions"));
    }

    @Test
    void exeAndArgsFollowExec() {
        proc.process(1, 0, 0, 0, "init", "/sbin/init").process(30, 1, 0, 0, "python3", "/usr/bin/python3.11",
                "python3", "manage.py", "runserver");
        EngineDriver engine = started(rules(
                rule("python", ANY, ANY, null, new RuleSpec.More(false, false, false, null, "/usr/bin/python3.11",
                        null)),
                rule("django", ANY, ANY, null, new RuleSpec.More(false, false, false, null, null,
                        "manage\\.py (runserver|shell)$"))), AccountLookup.NUMBERS, 100);
        assertEquals("30\n", text(engine, "python"));
        assertEquals("30\n", text(engine, "django"));
        batch.fork(30, 31, 31, 0);
        apply(engine);
        assertEquals("30\n31\n", text(engine, "django"), "a child runs its parent's program until it execs");
        proc.process(31, 30, 0, 0, "sh", "/usr/bin/dash", "sh", "-c", "true");
        batch.exec(31, 31, 0);
        apply(engine);
        assertEquals("30\n", text(engine, "python"));
        assertEquals("30\n", text(engine, "django"));
        // A command line rewritten without an exec sends no event: the audit finds it.
        proc.process(30, 1, 0, 0, "python3", "/usr/bin/python3.11", "python3", "manage.py", "migrate");
        int[] suspects = engine.auditScan();
        engine.auditConfirm(suspects);
        assertEquals("", text(engine, "django"));
        assertEquals("30\n", text(engine, "python"));
    }

    @Test
    void aReloadAddsAndRemovesTemplatesAndTreesAndKeepsWhatATreeKnew() {
        proc.process(1, 0, 0, 0, "init").process(100, 1, 0, 0, "sshd");
        EngineDriver engine = started(rules(new RuleSpec("sshd", ANY, ANY, "sshd", 0),
                rule("sessions", 1000, ANY, null, under("sshd"))), AccountLookup.NUMBERS, 100);
        proc.process(101, 1, 1000, 0, "bash");
        batch.fork(100, 101, 101, 0);
        batch.uid(101, 101, 1000, 0);
        batch.exit(100, 100, 0);
        apply(engine);
        assertEquals("101\n", text(engine, "sessions"));

        // The tree is unchanged: what it knew stays, though the parent link no longer shows it.
        engine.replaceRules(rules(new RuleSpec("sshd", ANY, ANY, "sshd", 0),
                rule("sessions", 1000, ANY, null, under("sshd")),
                rule("user.{uid}", ANY, ANY, null, stars(true, false, false))));
        assertEquals("101\n", text(engine, "sessions"));
        assertEquals("101\n", text(engine, "user.1000"));
        assertEquals(List.of("sshd", "sessions", "user.0", "user.1000"), names(engine));

        engine.replaceRules(rules(new RuleSpec("bash", ANY, ANY, "bash", 0)));
        assertEquals(List.of("bash"), names(engine));
        assertEquals(0, engine.stats().get(Metric.TEMPLATED_FILES));
    }

    @Test
    void aReloadThatBringsExeAndArgsRulesReadsThemForEveryKnownProcess() {
        proc.process(1, 0, 0, 0, "init", "/sbin/init").process(30, 1, 0, 0, "python3", "/usr/bin/python3.11",
                "python3", "manage.py", "runserver");
        EngineDriver engine = started(rules(new RuleSpec("root", 0, ANY, null, 0)), AccountLookup.NUMBERS, 100);
        assertNull(engine.task(30).exe(), "nothing needs it yet");
        engine.replaceRules(rules(
                rule("python", ANY, ANY, null, new RuleSpec.More(false, false, false, null, "/usr/bin/python3.11",
                        null)),
                rule("django", ANY, ANY, null, new RuleSpec.More(false, false, false, null, null, "runserver"))));
        assertEquals("30\n", text(engine, "python"));
        assertEquals("30\n", text(engine, "django"));
        assertEquals("python3 manage.py runserver", engine.task(30).args());
    }

    @Test
    void rulesUnderAnUnknownNameOrInACycleAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PreparedRules.of(rules(
                rule("a", ANY, ANY, null, under("nowhere")))));
        assertThrows(IllegalArgumentException.class, () -> PreparedRules.of(rules(
                rule("a", ANY, ANY, null, under("b")), rule("b", ANY, ANY, null, under("a")))));
        assertThrows(IllegalArgumentException.class, () -> PreparedRules.of(rules(
                rule("u.{uid}", ANY, ANY, null, stars(true, false, false)), rule("b", ANY, ANY, null, under("u.{uid}")))));
        assertNotNull(PreparedRules.of(rules(rule("a", 1, ANY, null, NONE))));
    }
}
