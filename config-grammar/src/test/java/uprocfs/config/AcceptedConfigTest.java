package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static uprocfs.config.ConfigTexts.load;
import static uprocfs.config.ConfigTexts.shown;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Configurations that load, and the rules they load into. */
class AcceptedConfigTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                // The original README's example.
                Arguments.of("uid 1000 my_username\ngid 34 groups.backup\ncmd tar software.backup\n",
                        List.of("my_username[uid=1000]@1", "groups.backup[gid=34]@2", "software.backup[cmd=tar]@3")),
                // Every combination of keys, in several orders.
                Arguments.of("uid 1 gid 2 a", List.of("a[uid=1,gid=2]@1")),
                Arguments.of("gid 2 uid 1 a", List.of("a[uid=1,gid=2]@1")),
                Arguments.of("uid 1 cmd sh a", List.of("a[uid=1,cmd=sh]@1")),
                Arguments.of("cmd sh uid 1 a", List.of("a[uid=1,cmd=sh]@1")),
                Arguments.of("gid 2 cmd sh a", List.of("a[gid=2,cmd=sh]@1")),
                Arguments.of("cmd sh gid 2 a", List.of("a[gid=2,cmd=sh]@1")),
                Arguments.of("uid 1 gid 2 cmd sh a", List.of("a[uid=1,gid=2,cmd=sh]@1")),
                Arguments.of("cmd sh gid 2 uid 1 a", List.of("a[uid=1,gid=2,cmd=sh]@1")),
                Arguments.of("gid 2 cmd sh uid 1 a", List.of("a[uid=1,gid=2,cmd=sh]@1")),
                // Comments of both kinds, whole-line and trailing, glued to a word or not.
                Arguments.of("# users\n; groups\nuid 1 a # trailing\ngid 2 b ; trailing\nuid 3 c#glued\ngid 4 d;glued",
                        List.of("a[uid=1]@3", "b[gid=2]@4", "c[uid=3]@5", "d[gid=4]@6")),
                Arguments.of("uid 1 a # a comment may hold anything: uid gid cmd ; # \r \u0001 ünïcødé\n",
                        List.of("a[uid=1]@1")),
                // Line ends: DOS, none at the end, blank and whitespace-only lines.
                Arguments.of("uid 1 a\r\nuid 2 b\r\n", List.of("a[uid=1]@1", "b[uid=2]@2")),
                Arguments.of("uid 1 a # dos comment\r\nuid 2 b\r\n", List.of("a[uid=1]@1", "b[uid=2]@2")),
                Arguments.of("uid 1 a", List.of("a[uid=1]@1")),
                Arguments.of("\n\n   \n\t\t\nuid 1 a\n \t \n", List.of("a[uid=1]@5")),
                Arguments.of("\r\n\r\nuid 1 a\r\n", List.of("a[uid=1]@3")),
                // Tabs and runs of spaces separate words.
                Arguments.of("\tuid\t1\t\ta\t", List.of("a[uid=1]@1")),
                Arguments.of("   uid    1 \t gid  2   a   ", List.of("a[uid=1,gid=2]@1")),
                // Names with dots, dashes, UTF-8, a key's spelling inside them.
                Arguments.of("uid 1 a.b-c_d+e@f", List.of("a.b-c_d+e@f[uid=1]@1")),
                Arguments.of("uid 1 ansatte.jørgen", List.of("ansatte.jørgen[uid=1]@1")),
                Arguments.of("uid 1 ユーザー", List.of("ユーザー[uid=1]@1")),
                Arguments.of("uid 1 emoji.\uD83D\uDE00", List.of("emoji.\uD83D\uDE00[uid=1]@1")),
                Arguments.of("uid 1 uid.1\ngid 1 gid.1\ncmd cmd cmd.cmd", List.of("uid.1[uid=1]@1", "gid.1[gid=1]@2",
                        "cmd.cmd[cmd=cmd]@3")),
                Arguments.of("uid 1 a..b\nuid 2 b.", List.of("a..b[uid=1]@1", "b.[uid=2]@2")),
                Arguments.of("uid 1 " + "n".repeat(255), List.of("n".repeat(255) + "[uid=1]@1")),
                Arguments.of("uid 1 " + "ø".repeat(127), List.of("ø".repeat(127) + "[uid=1]@1")),
                // Ids: the whole range, leading zeros.
                Arguments.of("uid 0 a\ngid 4294967294 b", List.of("a[uid=0]@1", "b[gid=4294967294]@2")),
                Arguments.of("uid 007 a\ngid 0000000000000000000004294967294 b\nuid 000 c",
                        List.of("a[uid=7]@1", "b[gid=4294967294]@2", "c[uid=0]@3")),
                // cmd values are any word, including a key's spelling and UTF-8.
                Arguments.of("cmd uid a\ncmd gid-helper b\ncmd kworker/0:1 c\ncmd ønske d",
                        List.of("a[cmd=uid]@1", "b[cmd=gid-helper]@2", "c[cmd=kworker/0:1]@3", "d[cmd=ønske]@4")),
                // A byte order mark from an editor is not part of the first key.
                Arguments.of("\uFEFFuid 1 a", List.of("a[uid=1]@1")),
                // The same conditions may feed several namespaces.
                Arguments.of("uid 1 a\nuid 1 b", List.of("a[uid=1]@1", "b[uid=1]@2")));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void acceptedConfigurationsLoadIntoTheirRules(String text, List<String> rules) throws ConfigException {
        LoadedConfig config = load(text);
        assertEquals(rules, shown(config));
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void ruleSetRemembersItsSource() throws ConfigException {
        LoadedConfig config = load("uid 1 a");
        assertEquals(ConfigTexts.FILE, config.rules().source());
    }

    @Test
    void cmdOfExactlyFifteenBytesIsNotWarnedAbout() throws ConfigException {
        assertEquals(List.of(), load("cmd abcdefghijklmno a\ncmd ååååååå1 b").warnings());
    }
}
