package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static uprocfs.config.ConfigTexts.errors;
import static uprocfs.config.ConfigTexts.load;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.rule.RuleSpec.More;

/** The keys of issue 11 (uid/gid/cmd *, under, exe, args): the exact rules they load into. */
class ExtendedRulesTest {

    private static final long ANY = RuleSpec.ANY;

    private static More more(boolean anyUid, boolean anyGid, boolean anyCmd) {
        return new More(anyUid, anyGid, anyCmd, null, null, null);
    }

    private static More under(String name) {
        return new More(false, false, false, name, null, null);
    }

    private static More exe(String path) {
        return new More(false, false, false, null, path, null);
    }

    private static More args(String regex) {
        return new More(false, false, false, null, null, regex);
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                // The examples of issue 11, as written there.
                Arguments.of("uid * user.{user}", List.of(new RuleSpec("user.{user}", ANY, ANY, null, 1, more(true, false, false)))),
                Arguments.of("cmd * cmd.{cmd}", List.of(new RuleSpec("cmd.{cmd}", ANY, ANY, null, 1, more(false, false, true)))),
                Arguments.of("uid * cmd * {user}.{cmd}",
                        List.of(new RuleSpec("{user}.{cmd}", ANY, ANY, null, 1, more(true, false, true)))),
                Arguments.of("gid 100 cmd * staff.{cmd}",
                        List.of(new RuleSpec("staff.{cmd}", ANY, 100, null, 1, more(false, false, true)))),
                Arguments.of("cmd sshd sshd\nunder sshd uid 1000 sessions.1000", List.of(
                        new RuleSpec("sshd", ANY, ANY, "sshd", 1),
                        new RuleSpec("sessions.1000", 1000, ANY, null, 2, under("sshd")))),
                Arguments.of("exe /usr/sbin/sshd sshd.exe",
                        List.of(new RuleSpec("sshd.exe", ANY, ANY, null, 1, exe("/usr/sbin/sshd")))),
                Arguments.of("args \"^java .*-jar app\\.jar\" apps.java",
                        List.of(new RuleSpec("apps.java", ANY, ANY, null, 1, args("^java .*-jar app\\.jar")))),
                // The one-line equivalents of uproc-config's output.
                Arguments.of("uid * uid.{user}\ngid * gid.{group}", List.of(
                        new RuleSpec("uid.{user}", ANY, ANY, null, 1, more(true, false, false)),
                        new RuleSpec("gid.{group}", ANY, ANY, null, 2, more(false, true, false)))),
                // Every placeholder, alone and together; a name may be all placeholders.
                Arguments.of("uid * {uid}", List.of(new RuleSpec("{uid}", ANY, ANY, null, 1, more(true, false, false)))),
                Arguments.of("gid * g{gid}", List.of(new RuleSpec("g{gid}", ANY, ANY, null, 1, more(false, true, false)))),
                Arguments.of("uid * gid * cmd * {uid}-{user}:{gid}-{group}:{cmd}", List.of(new RuleSpec(
                        "{uid}-{user}:{gid}-{group}:{cmd}", ANY, ANY, null, 1, more(true, true, true)))),
                Arguments.of("uid * u.{user}.{user}", List.of(new RuleSpec("u.{user}.{user}", ANY, ANY, null, 1,
                        more(true, false, false)))),
                // Braces around anything else are text, templated or not.
                Arguments.of("uid * {x}.{user}.{}", List.of(new RuleSpec("{x}.{user}.{}", ANY, ANY, null, 1,
                        more(true, false, false)))),
                Arguments.of("uid 1 {name}", List.of(new RuleSpec("{name}", 1, ANY, null, 1))),
                Arguments.of("uid 1 {UID}", List.of(new RuleSpec("{UID}", 1, ANY, null, 1))),
                // A placeholder may start the name: values never start with '.'.
                // The literal text and one byte per placeholder fill a file name at most.
                Arguments.of("uid * " + "n".repeat(254) + "{user}", List.of(new RuleSpec("n".repeat(254) + "{user}",
                        ANY, ANY, null, 1, more(true, false, false)))),
                Arguments.of("cmd * {cmd}", List.of(new RuleSpec("{cmd}", ANY, ANY, null, 1, more(false, false, true)))),
                // * mixes with fixed values of the other keys, in any order.
                Arguments.of("cmd * uid 0 root.{cmd}", List.of(new RuleSpec("root.{cmd}", 0, ANY, null, 1,
                        more(false, false, true)))),
                Arguments.of("uid * cmd bash shells.{user}", List.of(new RuleSpec("shells.{user}", ANY, ANY, "bash", 1,
                        more(true, false, false)))),
                // Trees: the namespace may come later, be under another, be combined with every key.
                Arguments.of("under b uid 1 a\ncmd sshd b", List.of(
                        new RuleSpec("a", 1, ANY, null, 1, under("b")), new RuleSpec("b", ANY, ANY, "sshd", 2))),
                Arguments.of("cmd sshd a\nunder a b\nunder b c", List.of(
                        new RuleSpec("a", ANY, ANY, "sshd", 1),
                        new RuleSpec("b", ANY, ANY, null, 2, under("a")),
                        new RuleSpec("c", ANY, ANY, null, 3, under("b")))),
                Arguments.of("cmd sshd a\nunder a b\nunder a c", List.of(
                        new RuleSpec("a", ANY, ANY, "sshd", 1),
                        new RuleSpec("b", ANY, ANY, null, 2, under("a")),
                        new RuleSpec("c", ANY, ANY, null, 3, under("a")))),
                Arguments.of("cmd sshd a\nunder a uid * cmd * t.{user}.{cmd}", List.of(
                        new RuleSpec("a", ANY, ANY, "sshd", 1),
                        new RuleSpec("t.{user}.{cmd}", ANY, ANY, null, 2,
                                new More(true, false, true, "a", null, null)))),
                Arguments.of("exe /usr/sbin/sshd a\nunder a exe /bin/bash args \"-c\" uid 0 gid 0 cmd bash b", List.of(
                        new RuleSpec("a", ANY, ANY, null, 1, exe("/usr/sbin/sshd")),
                        new RuleSpec("b", 0, 0, "bash", 2, new More(false, false, false, "a", "/bin/bash", "-c")))),
                // exe: any absolute path, as /proc/PID/exe shows it.
                Arguments.of("exe / a", List.of(new RuleSpec("a", ANY, ANY, null, 1, exe("/")))),
                Arguments.of("exe /usr/lib/jvm/java-17/bin/java java", List.of(
                        new RuleSpec("java", ANY, ANY, null, 1, exe("/usr/lib/jvm/java-17/bin/java")))),
                // args: the quoted text is the regex, spaces, '#' and ';' included.
                Arguments.of("args \"a b # c ; d\" x", List.of(new RuleSpec("x", ANY, ANY, null, 1, args("a b # c ; d")))),
                Arguments.of("args \"\" x", List.of(new RuleSpec("x", ANY, ANY, null, 1, args("")))),
                Arguments.of("args \"x\" y # \"comment\"", List.of(new RuleSpec("y", ANY, ANY, null, 1, args("x")))),
                Arguments.of("uid 1 args \"x\" y;z", List.of(new RuleSpec("y", 1, ANY, null, 1, args("x")))));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void newKeysLoadIntoTheirExactRules(String text, List<RuleSpec> rules) throws ConfigException {
        LoadedConfig config = load(text);
        assertEquals(rules, config.rules().rules());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void fixedRulesCarryNoMore() throws ConfigException {
        for (RuleSpec rule : load("uid 1 a\ngid 2 cmd sh b").rules().rules()) {
            assertEquals(More.NONE, rule.more());
        }
    }
}
