package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static uprocfs.config.ConfigTexts.errors;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules with the keys of issue 11 that must not load, and exactly what the user is told. */
class RejectedExtendedRulesTest {

    private static final String CYCLE_FIX = ": a tree grows from a namespace that is under none of its own members;"
            + " remove one of these under keys";
    private static final String RE2 = " (RE2 syntax, as pgrep -f without backreferences or lookaround); fix the regex";

    static Stream<Arguments> rejected() {
        return Stream.of(
                // A * whose placeholder is missing from the name.
                Arguments.of("uid * user", List.of("t.conf:1:7: uid * needs {uid} or {user} in the name 'user',"
                        + " one file per user; for example 'user.{user}'")),
                Arguments.of("uid * g.{group}", List.of("t.conf:1:7: uid * needs {uid} or {user} in the name"
                        + " 'g.{group}', one file per user; for example 'g.{group}.{user}'")),
                Arguments.of("gid * cmd * g.{cmd}", List.of("t.conf:1:13: gid * needs {gid} or {group} in the name"
                        + " 'g.{cmd}', one file per group; for example 'g.{cmd}.{group}'")),
                Arguments.of("cmd * cmd", List.of("t.conf:1:7: cmd * needs {cmd} in the name 'cmd',"
                        + " one file per command name; for example 'cmd.{cmd}'")),
                Arguments.of("uid * cmd * u.{User}", List.of("t.conf:1:13: uid * needs {uid} or {user} in the name"
                        + " 'u.{User}', one file per user; for example 'u.{User}.{user}'")),
                // A placeholder without its *, at the placeholder's column.
                Arguments.of("uid 1000 u.{user}", List.of("t.conf:1:12: {user} in the name 'u.{user}' is filled only"
                        + " by uid *: write uid * for one file per value, or leave {user} out")),
                Arguments.of("uid 1 x.{gid}", List.of("t.conf:1:9: {gid} in the name 'x.{gid}' is filled only"
                        + " by gid *: write gid * for one file per value, or leave {gid} out")),
                Arguments.of("cmd sh gid * g.{group}.{cmd}", List.of("t.conf:1:24: {cmd} in the name"
                        + " 'g.{group}.{cmd}' is filled only by cmd *: write cmd * for one file per value,"
                        + " or leave {cmd} out")),
                Arguments.of("cmd * ü.{uid}.{cmd}", List.of("t.conf:1:9: {uid} in the name 'ü.{uid}.{cmd}' is filled"
                        + " only by uid *: write uid * for one file per value, or leave {uid} out")),
                Arguments.of("cmd sh {group}", List.of("t.conf:1:8: {group} in the name '{group}' is filled only"
                        + " by gid *: write gid * for one file per value, or leave {group} out")),
                // The literal text of a templated name.
                Arguments.of("uid * .{user}", List.of("t.conf:1:7: namespace name '.{user}' starts with '.':"
                        + " such names are reserved for the daemon's own files (like /.status); drop the dot")),
                Arguments.of("uid * a/{user}", List.of("t.conf:1:8: namespace name 'a/{user}' contains '/':"
                        + " a name is a single file name, use '.' or '-' to structure it")),
                Arguments.of("uid * {user}/x", List.of("t.conf:1:13: namespace name '{user}/x' contains '/':"
                        + " a name is a single file name, use '.' or '-' to structure it")),
                Arguments.of("cmd * {cmd}\u0001", List.of("t.conf:1:12: namespace name '{cmd}\\x01' contains control"
                        + " character \\x01: remove it")),
                Arguments.of("uid * " + "n".repeat(255) + "{user}", List.of("t.conf:1:7: namespace name '"
                        + "n".repeat(64) + "...' is 256 bytes long with one-byte values: a file name has at most"
                        + " 255 bytes, shorten it")),
                // Duplicates: the same template twice.
                Arguments.of("uid * u.{user}\nuid * gid 1 u.{user}", List.of("t.conf:2:13: duplicate namespace"
                        + " 'u.{user}' (first defined at line 1)")),
                // under: unknown, templated, cycles; at the column of its value, in file order.
                Arguments.of("under nope uid 1 a", List.of("t.conf:1:7: under 'nope': no namespace of that name in"
                        + " this file; define it with a rule of its own (anywhere in the file), or correct the name")),
                Arguments.of("uid * t.{user}\nunder t.{user} uid 1 a", List.of("t.conf:2:7: under 't.{user}' names"
                        + " a templated namespace (line 1): a tree grows from the members of one fixed namespace,"
                        + " so name a rule without *")),
                Arguments.of("under a uid 1 a", List.of("t.conf:1:7: under 'a' closes a cycle, a -> a (line 1)"
                        + CYCLE_FIX)),
                Arguments.of("under b uid 1 a\nunder a uid 2 b", List.of("t.conf:2:7: under 'a' closes a cycle,"
                        + " b -> a -> b (lines 2, 1)" + CYCLE_FIX)),
                Arguments.of("under c uid 1 a\nunder a uid 2 b\nunder b uid 3 c\nunder a uid 4 d",
                        List.of("t.conf:3:7: under 'b' closes a cycle, c -> b -> a -> c (lines 3, 2, 1)" + CYCLE_FIX)),
                Arguments.of("under b uid 1 a\nunder a uid 2 b\nunder nope uid 3 c\ncmd x y\nunder y z\nuid x w",
                        List.of("t.conf:2:7: under 'a' closes a cycle, b -> a -> b (lines 2, 1)" + CYCLE_FIX,
                                "t.conf:3:7: under 'nope': no namespace of that name in this file; define it with a"
                                        + " rule of its own (anywhere in the file), or correct the name",
                                "t.conf:6:5: uid needs a number, got 'x': write the numeric uid (id -u NAME prints it)")),
                // under a line that was dropped: its own error is enough.
                Arguments.of("under c uid 1 a\nuid x c", List.of("t.conf:2:5: uid needs a number, got 'x':"
                        + " write the numeric uid (id -u NAME prints it)")),
                // exe needs an absolute path.
                Arguments.of("exe sshd a", List.of("t.conf:1:5: exe needs an absolute path, got 'sshd': write it as"
                        + " /proc/PID/exe shows it, such as /usr/sbin/sshd (command -v NAME finds it)")),
                Arguments.of("exe \"/usr/bin/x\" a", List.of("t.conf:1:5: exe needs an absolute path, got"
                        + " '\"/usr/bin/x\"': write it as /proc/PID/exe shows it, such as /usr/sbin/sshd"
                        + " (command -v NAME finds it)")),
                // args needs a quoted regex that RE2/J compiles; the message is RE2/J's.
                Arguments.of("args x a", List.of("t.conf:1:6: args needs its regex in double quotes, got 'x':"
                        + " write args \"x\"")),
                Arguments.of("args \"(\" a", List.of("t.conf:1:6: args regex '(' does not compile: missing closing )"
                        + RE2)),
                Arguments.of("uid 1 args \"(?<=x)y\" a", List.of("t.conf:1:12: args regex '(?<=x)y' does not compile:"
                        + " invalid named capture" + RE2)),
                Arguments.of("args \"(a)\\1\" a", List.of("t.conf:1:6: args regex '(a)\\1' does not compile:"
                        + " invalid escape sequence" + RE2)),
                Arguments.of("args \"a{1001}\" a", List.of("t.conf:1:6: args regex 'a{1001}' does not compile:"
                        + " invalid repeat count" + RE2)),
                Arguments.of("args \"a b\"c x", List.of("t.conf:1:11: 'c' follows the closing quote of the args regex"
                        + " without a space: move it inside the quotes, or put a space before it")),
                Arguments.of("args \"x\"; comment", List.of("t.conf:1:9: missing namespace name after 'args \"x\"':"
                        + " end the rule with the name of its file")),
                // A key given twice, * or not.
                Arguments.of("uid * uid * u.{uid}", List.of("t.conf:1:7: uid given twice (first at column 1):"
                        + " a process has one uid, so keep one condition")),
                Arguments.of("cmd * gid 1 cmd sh c.{cmd}", List.of("t.conf:1:13: cmd given twice (first at column 1):"
                        + " a process has one command name, so keep one condition")),
                Arguments.of("under a under b c", List.of("t.conf:1:9: under given twice (first at column 1):"
                        + " a rule is under one namespace; for the trees of two, write a rule for each")),
                Arguments.of("exe /a exe /b c", List.of("t.conf:1:8: exe given twice (first at column 1):"
                        + " a process has one executable, so keep one condition")),
                Arguments.of("args \"a\" args \"b\" c", List.of("t.conf:1:10: args given twice (first at column 1):"
                        + " a process has one command line, so keep one regex (a|b matches either)")),
                // A new key without its value and name.
                Arguments.of("under", List.of("t.conf:1:1: 'under' needs a value and a namespace name:"
                        + " under <namespace> <name>")),
                Arguments.of("exe", List.of("t.conf:1:1: 'exe' needs a value and a namespace name: exe <path> <name>")),
                Arguments.of("args", List.of("t.conf:1:1: 'args' needs a value and a namespace name:"
                        + " args \"<regex>\" <name>")),
                // * is a template for uid, gid and cmd only: elsewhere it is the word it is.
                Arguments.of("under * uid 1 a", List.of("t.conf:1:7: under '*': no namespace of that name in this"
                        + " file; define it with a rule of its own (anywhere in the file), or correct the name")),
                Arguments.of("exe * a", List.of("t.conf:1:5: exe needs an absolute path, got '*': write it as"
                        + " /proc/PID/exe shows it, such as /usr/sbin/sshd (command -v NAME finds it)")));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void rejectedRulesSayWhereAndWhat(String text, List<String> messages) {
        assertEquals(messages, errors(text));
    }
}
