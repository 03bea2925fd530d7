package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uprocfs.config.ConfigTexts.errors;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Configurations that must not load, and exactly what the user is told. */
class RejectedConfigTest {

    private static final String DIGITS = "0123456789";

    static Stream<Arguments> rejected() {
        return Stream.of(
                // Keys.
                Arguments.of("foo 1 a", "t.conf:1:1: unknown key 'foo' (expected uid, gid or cmd)"),
                Arguments.of("UID 1 a", "t.conf:1:1: unknown key 'UID' (expected uid, gid or cmd)"),
                Arguments.of("uid 1 user 2 a", "t.conf:1:7: unknown key 'user' (expected uid, gid or cmd)"),
                Arguments.of("uid 1 my name", "t.conf:1:7: unknown key 'my' (expected uid, gid or cmd;"
                        + " a namespace name is one word, the last on the line)"),
                Arguments.of("alone", "t.conf:1:1: namespace name 'alone' has no condition:"
                        + " put uid <number>, gid <number> or cmd <command> before it"),
                // Word counts: a key without its value, a rule without its name.
                Arguments.of("uid", "t.conf:1:1: 'uid' needs a value and a namespace name: uid <number> <name>"),
                Arguments.of("  cmd", "t.conf:1:3: 'cmd' needs a value and a namespace name: cmd <command> <name>"),
                Arguments.of("uid 1000", "t.conf:1:9: missing namespace name after 'uid 1000':"
                        + " end the rule with the name of its file"),
                Arguments.of("uid 1 gid 2\t# no name", "t.conf:1:12: missing namespace name after 'uid 1 gid 2':"
                        + " end the rule with the name of its file"),
                Arguments.of("cmd ø", "t.conf:1:6: missing namespace name after 'cmd ø':"
                        + " end the rule with the name of its file"),
                // Ids that are not numbers, or not in range; no overflow whatever the length.
                Arguments.of("uid abc a", "t.conf:1:5: uid needs a number, got 'abc':"
                        + " write the numeric uid (id -u NAME prints it)"),
                Arguments.of("gid backup a", "t.conf:1:5: gid needs a number, got 'backup':"
                        + " write the numeric gid (getent group NAME shows it)"),
                Arguments.of("uid -1 a", "t.conf:1:5: uid needs a number, got '-1':"
                        + " write the numeric uid (id -u NAME prints it)"),
                Arguments.of("uid +1 a", "t.conf:1:5: uid needs a number, got '+1':"
                        + " write the numeric uid (id -u NAME prints it)"),
                Arguments.of("uid 1.5 a", "t.conf:1:5: uid needs a number, got '1.5':"
                        + " write the numeric uid (id -u NAME prints it)"),
                Arguments.of("uid 0x10 a", "t.conf:1:5: uid needs a number, got '0x10':"
                        + " write the numeric uid (id -u NAME prints it)"),
                Arguments.of("uid ١٢ a", "t.conf:1:5: uid needs a number, got '١٢':"
                        + " write the numeric uid (id -u NAME prints it)"),
                Arguments.of("uid 4294967295 a", "t.conf:1:5: uid 4294967295 is out of range (0..4294967294)"),
                Arguments.of("gid 99999999999999999999 a",
                        "t.conf:1:5: gid 99999999999999999999 is out of range (0..4294967294)"),
                Arguments.of("gid 9223372036854775808 a",
                        "t.conf:1:5: gid 9223372036854775808 is out of range (0..4294967294)"),
                Arguments.of("uid " + DIGITS.repeat(10) + " a",
                        "t.conf:1:5: uid " + DIGITS.repeat(6) + "0123... is out of range (0..4294967294)"),
                // A key twice in one rule.
                Arguments.of("uid 1 uid 2 a", "t.conf:1:7: uid given twice (first at column 1):"
                        + " a process has one uid, so keep one condition"),
                Arguments.of("gid 1 uid 2 gid 1 a", "t.conf:1:13: gid given twice (first at column 1):"
                        + " a process has one gid, so keep one condition"),
                Arguments.of("uid 0 cmd a cmd b x", "t.conf:1:13: cmd given twice (first at column 7):"
                        + " a process has one command name, so keep one condition"),
                // Names that are not usable file names.
                Arguments.of("uid 1 a/b", "t.conf:1:8: namespace name 'a/b' contains '/':"
                        + " a name is a single file name, use '.' or '-' to structure it"),
                Arguments.of("uid 1 /etc", "t.conf:1:7: namespace name '/etc' contains '/':"
                        + " a name is a single file name, use '.' or '-' to structure it"),
                Arguments.of("uid 1 .", "t.conf:1:7: namespace name '.' is not a usable file name: choose another name"),
                Arguments.of("uid 1 ..", "t.conf:1:7: namespace name '..' is not a usable file name: choose another name"),
                Arguments.of("uid 1 .status", "t.conf:1:7: namespace name '.status' starts with '.':"
                        + " such names are reserved for the daemon's own files (like /.status); drop the dot"),
                Arguments.of("uid 1 .hidden.x", "t.conf:1:7: namespace name '.hidden.x' starts with '.':"
                        + " such names are reserved for the daemon's own files (like /.status); drop the dot"),
                Arguments.of("uid 1 " + "n".repeat(256), "t.conf:1:7: namespace name '" + "n".repeat(64)
                        + "...' is 256 bytes long: a file name has at most 255 bytes, shorten it"),
                Arguments.of("uid 1 " + "日".repeat(86), "t.conf:1:7: namespace name '" + "日".repeat(64)
                        + "...' is 258 bytes long: a file name has at most 255 bytes, shorten it"),
                Arguments.of("uid 1 a\u0001b", "t.conf:1:8: namespace name 'a\\x01b' contains control character"
                        + " \\x01: remove it"),
                Arguments.of("uid 1 esc\u001b[31m", "t.conf:1:10: namespace name 'esc\\x1b[31m' contains"
                        + " control character \\x1b: remove it"),
                Arguments.of("uid 1 del\u007f", "t.conf:1:10: namespace name 'del\\x7f' contains control character"
                        + " \\x7f: remove it"),
                Arguments.of("uid 1 a\u000bb", "t.conf:1:8: namespace name 'a\\x0bb' contains control character"
                        + " \\x0b: remove it"),
                Arguments.of("uid 1 a\fb", "t.conf:1:8: namespace name 'a\\x0cb' contains control character"
                        + " \\x0c: remove it"),
                // Control characters in keys are shown, not sent to the terminal.
                Arguments.of("u\u001bid 1 a", "t.conf:1:1: unknown key 'u\\x1bid' (expected uid, gid or cmd)"),
                // Text that is not text.
                Arguments.of("uid 1 a\u0000b", "t.conf:1:8: NUL byte: a config file is text; remove it"),
                Arguments.of("uid 1 a\rb", "t.conf:1:8: carriage return (\\r) in the middle of a line:"
                        + " end lines with \\n or \\r\\n only"),
                Arguments.of("uid 1 a\ruid 2 b\r", "t.conf:1:8: carriage return (\\r) in the middle of a line:"
                        + " end lines with \\n or \\r\\n only"));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void rejectedConfigurationsSayWhereAndWhat(String text, String message) {
        assertEquals(List.of(message), errors(text));
    }

    @Test
    void duplicateNamespaceNamesBothLines() {
        String text = "# line 1\n\nuid 1 x\n" + "\n".repeat(8) + "gid 100 x\n";
        assertEquals(List.of("t.conf:12:9: duplicate namespace 'x' (first defined at line 3)"), errors(text));
    }

    @Test
    void everyLaterDuplicateNamesTheFirstDefinition() {
        assertEquals(List.of("t.conf:2:7: duplicate namespace 'x' (first defined at line 1)",
                        "t.conf:3:7: duplicate namespace 'x' (first defined at line 1)"),
                errors("uid 1 x\nuid 2 x\ncmd a x"));
    }

    @Test
    void invalidUtf8IsReportedWithLineAndColumn() {
        byte[] content = bytes("uid 1 ø\nuid 2 ø", 0xC3, '(', '\n', 0xFF, 'x');
        assertEquals(List.of("t.conf:2:8: invalid UTF-8 (byte 0xc3): save the file as UTF-8",
                        "t.conf:3:1: invalid UTF-8 (byte 0xff): save the file as UTF-8"),
                errors(content));
    }

    @Test
    void overlongAndSurrogateEncodingsAreInvalidUtf8() {
        assertEquals(List.of("t.conf:1:7: invalid UTF-8 (byte 0xc0): save the file as UTF-8",
                        "t.conf:1:8: invalid UTF-8 (byte 0xaf): save the file as UTF-8"),
                errors(bytes("uid 1 ", 0xC0, 0xAF)));
        assertEquals("t.conf:1:7: invalid UTF-8 (byte 0xed): save the file as UTF-8",
                errors(bytes("uid 1 ", 0xED, 0xA0, 0x80)).get(0));
    }

    @Test
    void aTruncatedCharacterIsOneErrorNotOnePerByte() {
        assertEquals(List.of("t.conf:1:7: invalid UTF-8 (byte 0xf0): save the file as UTF-8"),
                errors(bytes("uid 1 ", 0xF0, 0x9F, 0x98, ' ', 'x')));
    }

    @Test
    void everyBrokenLineIsReportedInOnePass() {
        assertEquals(List.of("t.conf:1:1: unknown key 'user' (expected uid, gid or cmd)",
                        "t.conf:3:5: gid needs a number, got 'x': write the numeric gid (getent group NAME shows it)",
                        "t.conf:4:8: namespace name 'a/b' contains '/': a name is a single file name,"
                                + " use '.' or '-' to structure it"),
                errors("user 1 a\nuid 1 ok\ngid x b\nuid 2 a/b\n"));
    }

    @Test
    void messageListsTwentyErrorsAndCountsTheRest() {
        ConfigException failure = assertThrows(ConfigException.class,
                () -> ConfigTexts.load("bad 1 a\n".repeat(25)));
        String[] lines = failure.getMessage().split("\n");
        assertEquals(21, lines.length);
        assertEquals("t.conf:20:1: unknown key 'bad' (expected uid, gid or cmd)", lines[19]);
        assertEquals("and 5 more errors", lines[20]);
        assertEquals(25, failure.errors().size());
        assertEquals(25, failure.errorCount());
    }

    @Test
    void garbageKeepsAThousandErrorsAndCountsAll() {
        byte[] garbage = new byte[5000];
        java.util.Arrays.fill(garbage, (byte) 0xFF);
        ConfigException failure = assertThrows(ConfigException.class, () -> ConfigLoader.parse("t.conf", garbage));
        assertEquals(Diagnostics.KEPT, failure.errors().size());
        assertEquals(5000, failure.errorCount());
        assertTrue(failure.getMessage().endsWith("\nand 4980 more errors"), failure.getMessage());
    }

    private static byte[] bytes(String prefix, int... tail) {
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        for (int i = 0; i < tail.length; i++) {
            all[head.length + i] = (byte) tail[i];
        }
        return all;
    }
}
