package uprocfs.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NamespaceTest {
    @Test
    void lineLengthCountsDigitsAndNewline() {
        assertEquals(2, Namespace.lineLength(1));
        assertEquals(2, Namespace.lineLength(9));
        assertEquals(3, Namespace.lineLength(10));
        assertEquals(8, Namespace.lineLength(4194304));
        assertEquals(11, Namespace.lineLength(Integer.MAX_VALUE));
    }

    @Test
    void renderWritesAscendingLines() {
        int[] pids = {1, 22, 333, 2147483647};
        long size = 0;
        for (int p : pids) {
            size += Namespace.lineLength(p);
        }
        assertEquals("1\n22\n333\n2147483647\n", new String(Namespace.render(pids, size), StandardCharsets.US_ASCII));
    }
}
