package uprocfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class SkipsFailInCiTest {
    private final TestAbortedException skip = new TestAbortedException("Assumption failed: needs root");
    private final ByteArrayOutputStream notes = new ByteArrayOutputStream();

    private SkipsFailInCi policy(String ci) {
        return new SkipsFailInCi(ci, new PrintStream(notes, true, StandardCharsets.UTF_8));
    }

    @Test
    void underCiASkipBecomesAFailureThatSaysWhyAndKeepsTheReason() {
        for (String ci : List.of("true", "TRUE", "1")) {
            Throwable judged = policy(ci).judged("StallTest.stall", skip);
            assertInstanceOf(AssertionFailedError.class, judged, ci);
            assertTrue(judged.getMessage().startsWith("StallTest.stall would be skipped, and under CI=true a skip is "
                    + "a failure"), judged.getMessage());
            assertTrue(judged.getMessage().endsWith(": Assumption failed: needs root"), judged.getMessage());
            assertSame(skip, judged.getCause());
        }
        assertEquals("", notes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void elsewhereASkipStaysASkipWithItsReasonPrinted() {
        for (String notCi : Arrays.asList(null, "", "false", "0", "yes")) {
            notes.reset();
            assertSame(skip, policy(notCi).judged("StallTest.stall", skip), String.valueOf(notCi));
            assertEquals("[uprocfs] skipped StallTest.stall: Assumption failed: needs root\n",
                    notes.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void failuresAndErrorsPassThroughUnchanged() {
        AssertionError failure = new AssertionError("files differ");
        IllegalStateException error = new IllegalStateException("broken");
        SkipsFailInCi ci = policy("true");
        assertSame(failure, ci.judged("T.t", failure));
        assertSame(error, ci.judged("T.t", error));
        assertEquals("files differ", ci.judged("T.t", failure).getMessage());
    }
}
