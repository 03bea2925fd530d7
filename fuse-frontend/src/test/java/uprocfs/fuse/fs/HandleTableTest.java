package uprocfs.fuse.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import uprocfs.core.rule.RuleSpec;

class HandleTableTest {
    private static final RuleSpec RULE = new RuleSpec("uid.1000", 1000, RuleSpec.ANY, null, 1);

    @Test
    void handleZeroNeverNamesAnOpenFile() {
        HandleTable table = new HandleTable();
        long fh = table.open(new byte[] {'1', '\n'}, RULE);
        assertNotEquals(0, fh);
        assertNull(table.get(0));
        assertFalse(table.release(0));
    }

    @Test
    void eachHandleServesItsOwnSnapshot() {
        HandleTable table = new HandleTable();
        byte[] first = "1\n".getBytes();
        byte[] second = "1\n2\n".getBytes();
        long a = table.open(first, RULE);
        long b = table.open(second, RULE);
        assertSame(first, table.get(a).content());
        assertSame(second, table.get(b).content());
        assertSame(RULE, table.get(a).rule());
        assertEquals(2, table.openCount());
    }

    @Test
    void releasedHandleIsForgottenAndItsSlotReused() {
        HandleTable table = new HandleTable();
        long a = table.open(new byte[0], RULE);
        assertTrue(table.release(a));
        assertNull(table.get(a));
        assertFalse(table.release(a), "a second release of the same handle");
        assertEquals(0, table.openCount());
        assertEquals(a, table.open(new byte[0], RULE));
    }

    @Test
    void unknownHandlesAreNull() {
        HandleTable table = new HandleTable();
        assertNull(table.get(1));
        assertNull(table.get(-1));
        assertNull(table.get(Long.MAX_VALUE));
    }

    @Test
    void growsBeyondItsFirstArrayKeepingEverySnapshot() {
        HandleTable table = new HandleTable();
        int n = 1000;
        long[] handles = new long[n];
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < n; i++) {
            handles[i] = table.open(Integer.toString(i).getBytes(), RULE);
            distinct.add(handles[i]);
        }
        assertEquals(n, distinct.size());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(Integer.toString(i).getBytes(), table.get(handles[i]).content());
        }
        for (int i = 0; i < n; i += 2) {
            assertTrue(table.release(handles[i]));
        }
        assertEquals(n / 2, table.openCount());
    }
}
