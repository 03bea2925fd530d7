package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static uprocfs.config.ConfigTexts.errors;
import static uprocfs.config.ConfigTexts.load;
import static uprocfs.config.ConfigTexts.shown;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import uprocfs.core.rule.RuleSpec;

/**
 * Quoted strings: what the lexer makes of quotes, what args receives, and that a quote
 * anywhere but in args' value means what it meant before strings existed.
 */
class QuotedStringTest {

    static Stream<Arguments> regexes() {
        return Stream.of(
                // Spaces, tabs, '#' and ';' are part of the string, not separators or comments.
                Arguments.of("args \"a b\" x", "a b"),
                Arguments.of("args \"a\tb\" x", "a\tb"),
                Arguments.of("args \"#;\" x # a comment after it", "#;"),
                // \" is a quote and does not end the string.
                Arguments.of("args \"say \\\"hi\\\"\" x", "say \"hi\""),
                // Every other backslash is kept, with the character after it: RE2 sees the regex as written.
                Arguments.of("args \"\\d+\\s\\.\" x", "\\d+\\s\\."),
                Arguments.of("args \"a\\\\\" x", "a\\\\"),
                Arguments.of("args \"a\\\\\\\"b\" x", "a\\\\\"b"),
                Arguments.of("args \"\\\\\\\\\" x", "\\\\\\\\"),
                Arguments.of("args \"\\#\\;\" x", "\\#\\;"),
                // UTF-8 and an empty regex (which matches every command line).
                Arguments.of("args \"jørgen ☃\" x", "jørgen ☃"),
                Arguments.of("args \"\" x", ""),
                // Anchors, as pgrep -f takes them.
                Arguments.of("args \"^/usr/bin/python3 -m http\\.server( |$)\" x", "^/usr/bin/python3 -m http\\.server( |$)"));
    }

    @ParameterizedTest
    @MethodSource("regexes")
    void argsReceivesTheTextBetweenTheQuotes(String text, String regex) throws ConfigException {
        List<RuleSpec> rules = load(text).rules().rules();
        assertEquals(1, rules.size());
        assertEquals(regex, rules.get(0).more().args());
        assertEquals("x", rules.get(0).name());
    }

    /** Lines the original language loaded, whatever the quotes in them; each must load into the same rules. */
    static Stream<Arguments> originalMeaning() {
        return Stream.of(
                // A tie, a string that ends where a word would: the word, quotes and all.
                Arguments.of("uid 1 \"quoted\"", List.of("\"quoted\"[uid=1]@1")),
                Arguments.of("cmd \"sh\" \"n\"", List.of("\"n\"[cmd=\"sh\"]@1")),
                Arguments.of("uid 1 \"a\" # comment", List.of("\"a\"[uid=1]@1")),
                Arguments.of("uid 1 \"\"", List.of("\"\"[uid=1]@1")),
                // A word that runs on past a closing quote is longer than the string, so a word.
                Arguments.of("uid 1 \"a\"b", List.of("\"a\"b[uid=1]@1")),
                Arguments.of("uid 1 \"a\"\"b\"", List.of("\"a\"\"b\"[uid=1]@1")),
                // An unclosed quote starts a word.
                Arguments.of("cmd \"unclosed n", List.of("n[cmd=\"unclosed]@1")),
                Arguments.of("uid 1 \"", List.of("\"[uid=1]@1")),
                // A string holding '#' or ';': the original saw a word and then a comment.
                Arguments.of("uid 1 \"a #b\"", List.of("\"a[uid=1]@1")),
                Arguments.of("uid 1 \"a;b\" c d", List.of("\"a[uid=1]@1")),
                Arguments.of("uid 1 \"a #\" \r x", List.of("\"a[uid=1]@1")),
                // A string holding spaces: the original saw several words.
                Arguments.of("cmd \"x uid 1 y\"", List.of("y\"[uid=1,cmd=\"x]@1")),
                // Quotes on other lines change nothing on this one.
                Arguments.of("uid 1 \"a #b\"\nuid 2 b\nargs \"c d\" c", List.of("\"a[uid=1]@1", "b[uid=2]@2", "c[]@3")));
    }

    @ParameterizedTest
    @MethodSource("originalMeaning")
    void quotesOutsideArgsKeepTheirOriginalMeaning(String text, List<String> rules) throws ConfigException {
        assertEquals(rules, shown(load(text)));
    }

    static Stream<Arguments> originalErrors() {
        return Stream.of(
                // Errors the original reported, at the same columns.
                Arguments.of("uid 1 a\"b c\"", "t.conf:1:7: unknown key 'a\"b' (expected uid, gid or cmd;"
                        + " a namespace name is one word, the last on the line)"),
                Arguments.of("cmd \"a b\" n", "t.conf:1:8: unknown key 'b\"' (expected uid, gid or cmd;"
                        + " a namespace name is one word, the last on the line)"),
                Arguments.of("uid 1 \"a b\"c", "t.conf:1:7: unknown key '\"a' (expected uid, gid or cmd;"
                        + " a namespace name is one word, the last on the line)"),
                Arguments.of("uid 1 \"a\\\" b\" \"c\"", "t.conf:1:7: unknown key '\"a\\\"' (expected uid, gid or cmd)"),
                Arguments.of("cmd \"#\" \r x", "t.conf:1:6: missing namespace name after 'cmd \"':"
                        + " end the rule with the name of its file"),
                Arguments.of("uid 1 \"a b\"\r x", "t.conf:1:12: carriage return (\\r) in the middle of a line:"
                        + " end lines with \\n or \\r\\n only"),
                Arguments.of("  uid 1 \"日本 語\" x", "t.conf:1:9: unknown key '\"日本' (expected uid, gid or cmd)"));
    }

    @ParameterizedTest
    @MethodSource("originalErrors")
    void quotesOutsideArgsFailAsTheyDidBefore(String text, String message) {
        assertEquals(List.of(message), errors(text));
    }

    private static final String[] VOCABULARY = {
        "uid", "gid", "cmd", "under", "exe", "*", "1", "a", "{user}", "\"", "\"a\"", "\"a b\"", "\\", "\\\"",
        " ", " ", "\t", "#", ";", "\r", "\n", "\r\n", "ø", "/x",
    };

    /**
     * The original lexer treated '"' as any other character of a word, as the lexer of
     * today treats '~'. So wherever args is not a key, a text must load exactly as the same
     * text with every '"' written '~' does, up to that substitution: same rules, same
     * errors at the same columns, same warnings.
     */
    @Test
    void randomLinesWithoutArgsReadAsTheOriginalReadThem() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            int words = random.nextInt(12);
            for (int w = 0; w < words; w++) {
                text.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
            }
            String quoted = text.toString();
            assertEquals(outcome(quoted.replace('"', '~')).replace('~', '"'), outcome(quoted),
                    "seed " + seed + ", input " + i + ": " + quoted);
        }
    }

    private static String outcome(String text) {
        try {
            LoadedConfig config = load(text);
            return config.rules().rules() + " " + config.warnings();
        } catch (ConfigException e) {
            return e.errors().toString();
        }
    }

    @Test
    void onALineWithArgsOtherQuotesAreWordsWithTheirQuotes() throws ConfigException {
        RuleSpec rule = load("cmd \"x y\" args \"a\" \"my name\"").rules().rules().get(0);
        assertEquals("\"my name\"", rule.name());
        assertEquals("\"x y\"", rule.cmd());
        assertEquals("a", rule.more().args());
    }
}
