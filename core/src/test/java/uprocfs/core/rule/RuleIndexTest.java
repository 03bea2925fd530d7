package uprocfs.core.rule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleIndexTest {
    private static final long ANY = RuleSpec.ANY;

    @Test
    void matchesAmongAHundredThousandRulesReturnOnlyTheRightOnes() {
        List<RuleSpec> rules = new ArrayList<>();
        for (int i = 1; i <= 100_000; i++) {
            rules.add(new RuleSpec("uid." + i, i, ANY, null, i));
        }
        rules.add(new RuleSpec("bench", 60000, ANY, null, 0));
        RuleIndex index = new RuleIndex(rules);
        assertArrayEquals(new int[] {59999, 100000}, index.match(60000, 0, "sleep"));
        assertSame(RuleIndex.NONE, index.match(200000, 0, "sleep"));
    }

    @Test
    void cmdIsComparedAsBytes() {
        RuleIndex index = new RuleIndex(List.of(new RuleSpec("u", ANY, ANY, "caf\u00e9", 0)));
        String commFromKernel = new String("caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertArrayEquals(new int[] {0}, index.match(0, 0, commFromKernel));
    }

    @Test
    void specRejectsImpossibleRules() {
        assertThrows(IllegalArgumentException.class, () -> new RuleSpec("x", ANY, ANY, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new RuleSpec("x", 4294967295L, ANY, null, 0));
        assertTrue(new RuleSpec("x", ANY, ANY, "0123456789abcdef", 0).cmdTooLong());
    }
}
