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
    void rulesSharingUidsAndGidsAreAllFoundInOrder() {
        // Many rules per uid and per gid, interleaved in the file, some with a second or third
        // condition: every identity's answer must be what checking each rule would give.
        java.util.Random random = new java.util.Random(13);
        String[] comms = {null, "sleep", "bash"};
        List<RuleSpec> rules = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            long uid = random.nextInt(3) == 0 ? ANY : random.nextInt(40);
            long gid = random.nextInt(2) == 0 ? ANY : random.nextInt(25);
            String cmd = comms[random.nextInt(comms.length)];
            if (uid == ANY && gid == ANY && cmd == null) {
                gid = 7;
            }
            rules.add(new RuleSpec("r" + i, uid, gid, cmd, i + 1));
        }
        RuleIndex index = new RuleIndex(rules);
        for (int euid = 0; euid < 42; euid++) {
            for (int egid = 0; egid < 27; egid++) {
                for (String comm : new String[] {"sleep", "bash", "cron"}) {
                    List<Integer> expected = new ArrayList<>();
                    for (int id = 0; id < rules.size(); id++) {
                        RuleSpec r = rules.get(id);
                        if ((!r.hasUid() || r.uid() == euid) && (!r.hasGid() || r.gid() == egid)
                                && (!r.hasCmd() || r.cmd().equals(comm))) {
                            expected.add(id);
                        }
                    }
                    assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(),
                            index.match(euid, egid, comm), "uid " + euid + " gid " + egid + " comm " + comm);
                }
            }
        }
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
