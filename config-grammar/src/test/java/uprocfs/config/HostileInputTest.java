package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import uprocfs.core.rule.RuleSpec;

/**
 * Whatever bytes arrive, the loader answers with rules or with well-formed errors:
 * never another exception, a hang, or memory out of proportion.
 */
class HostileInputTest {

    private static final Pattern WELL_FORMED = Pattern.compile("t\\.conf:[1-9][0-9]*:[1-9][0-9]*: [^\\p{Cntrl}]+");
    private static final int MIB = 1 << 20;
    private static final String SEPARATORS = " \t\n\r#;0/.";

    private static final String[] VOCABULARY = {
        "uid", "gid", "cmd", "UID", "0", "1000", "4294967294", "4294967295", "-1", "99999999999999999999", "007",
        "name", "uid.1000", "a/b", ".", "..", ".status", "jørgen", "日本", "\uD83D\uDE00", "#", ";", "# comment",
        "; comment", " ", "  ", "\t", "\n", "\r\n", "\r", "\u0000", "\u0001", "\u001b", "\u007f", "\u000b", "\f",
        "\u00a0", "\u2028", "\uFEFF", "x".repeat(300), "\\", "\"", "'", ":", "*",
    };

    @Test
    void thousandsOfRandomInputsEndInRulesOrWellFormedErrors() {
        long seed = System.nanoTime();
        System.out.println("HostileInputTest seed " + seed);
        Random random = new Random(seed);
        byte[] valid = ("uid 1000 my_username\ngid 34 groups.backup\ncmd tar software.backup\n"
                + "uid 0 gid 0 cmd sh root.sh\t# comment\r\n; another\n").getBytes(StandardCharsets.UTF_8);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 3000; i++) {
                byte[] input = switch (i % 3) {
                    case 0 -> randomBytes(random);
                    case 1 -> tokenSoup(random);
                    default -> mutated(random, valid);
                };
                checkOutcome(input, "seed " + seed + ", input " + i);
            }
        });
    }

    @Test
    void aOneMebibyteLineIsAClearErrorOrACorrectLoad() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            String longName = "n".repeat(MIB);
            assertEquals(List.of("t.conf:1:7: namespace name '" + "n".repeat(64) + "...' is " + MIB
                    + " bytes long: a file name has at most 255 bytes, shorten it"), ConfigTexts.errors("uid 1 " + longName));
            assertEquals(List.of("t.conf:1:5: uid " + "9".repeat(64) + "... is out of range (0..4294967294)"),
                    ConfigTexts.errors("uid " + "9".repeat(MIB) + " a"));
            assertEquals(List.of("t.conf:1:1: unknown key 'a' (expected uid, gid or cmd)"),
                    ConfigTexts.errors("a ".repeat(MIB / 2)));
            assertEquals(List.of("t.conf:1:1: carriage return (\\r) in the middle of a line:"
                    + " end lines with \\n or \\r\\n only"), ConfigTexts.errors("\r".repeat(MIB)));
            assertEquals(List.of("a[uid=1]@2"), ConfigTexts.shown(ConfigTexts.load(
                    " \t".repeat(MIB / 2) + "\n uid 1 a # " + "#;".repeat(MIB / 2))));
            assertEquals(List.of("n[cmd=" + "c".repeat(MIB) + "]@1"),
                    ConfigTexts.shown(ConfigTexts.load("cmd " + "c".repeat(MIB) + " n")));
        });
    }

    @Test
    void aMebibyteOfNewlinesIsAnEmptyConfiguration() throws ConfigException {
        assertEquals(0, ConfigTexts.load("\n".repeat(MIB)).rules().size());
        assertEquals(0, ConfigTexts.load("\r\n".repeat(MIB / 2)).rules().size());
    }

    @Test
    void hundredThousandRulesParseQuickly() throws ConfigException {
        byte[] config = numberedRules(100_000);
        for (int warmup = 0; warmup < 5; warmup++) {
            ConfigLoader.parse("t.conf", config);
        }
        long[] millis = new long[7];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            LoadedConfig loaded = ConfigLoader.parse("t.conf", config);
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            assertEquals(100_000, loaded.rules().size());
        }
        Arrays.sort(millis);
        System.out.printf("parse of 100,000 rules (%d bytes): median %d ms, min %d ms, max %d ms%n",
                config.length, millis[millis.length / 2], millis[0], millis[millis.length - 1]);
    }

    @Test
    void aMillionRulesLoad() {
        byte[] config = numberedRules(1_000_000);
        LoadedConfig loaded = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long start = System.nanoTime();
            LoadedConfig result = ConfigLoader.parse("t.conf", config);
            System.out.printf("parse of 1,000,000 rules (%d bytes): %d ms%n", config.length,
                    (System.nanoTime() - start) / 1_000_000);
            return result;
        });
        assertEquals(1_000_000, loaded.rules().size());
        RuleSpec last = loaded.rules().rules().get(999_999);
        assertEquals("uid.999999", last.name());
        assertEquals(999_999, last.uid());
        assertEquals(1_000_000, last.line());
    }

    private static byte[] numberedRules(int count) {
        StringBuilder text = new StringBuilder(count * 24);
        for (int i = 0; i < count; i++) {
            text.append("uid ").append(i).append(" uid.").append(i).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void checkOutcome(byte[] input, String which) {
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.parse("t.conf", input);
        } catch (ConfigException e) {
            assertTrue(e.errorCount() >= e.errors().size(), which);
            for (ConfigError error : e.errors()) {
                assertTrue(WELL_FORMED.matcher(error.toString()).matches(), which + ": " + error);
            }
            return;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(which + ": " + e, e);
        }
        for (RuleSpec rule : loaded.rules().rules()) {
            assertNull(NamespaceName.check(rule.name()), which);
            assertTrue(rule.hasUid() || rule.hasGid() || rule.hasCmd(), which);
        }
        long distinct = loaded.rules().rules().stream().map(RuleSpec::name).distinct().count();
        if (distinct != loaded.rules().size()) {
            fail(which + ": duplicate names loaded");
        }
        for (String warning : loaded.warnings()) {
            assertTrue(warning.startsWith("t.conf:") && warning.contains(": warning: "), which + ": " + warning);
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(2048)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] tokenSoup(Random random) {
        StringBuilder text = new StringBuilder();
        int words = random.nextInt(200);
        for (int i = 0; i < words; i++) {
            text.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
            if (random.nextInt(3) > 0) {
                text.append(' ');
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] mutated(Random random, byte[] valid) {
        byte[] bytes = Arrays.copyOf(valid, valid.length);
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(4)) {
                case 0 -> bytes[at] = (byte) random.nextInt(256);
                case 1 -> bytes[at] = (byte) SEPARATORS.charAt(random.nextInt(SEPARATORS.length()));
                case 2 -> bytes = Arrays.copyOf(bytes, Math.max(1, at));
                default -> {
                    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    longer[at] = (byte) random.nextInt(128);
                    bytes = longer;
                }
            }
        }
        return bytes;
    }
}
