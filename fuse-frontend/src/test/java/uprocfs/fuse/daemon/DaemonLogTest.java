package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The daemon's log lines in a file or on a terminal, and in the journal. */
class DaemonLogTest {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(written, true, StandardCharsets.UTF_8);

    private String written() {
        return written.toString(StandardCharsets.UTF_8);
    }

    @Test
    void inAFileEachLineIsStampedAndTagged() {
        DaemonLog.forDaemon(out, false).error("first\nsecond");
        String[] lines = written().split("\n");
        assertEquals(2, lines.length, written());
        String tag = " uproc[" + ProcessHandle.current().pid() + "]: ";
        assertTrue(lines[0].matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z" + java.util.regex.Pattern.quote(tag)
                + "error: first"), lines[0]);
        assertTrue(lines[1].endsWith(tag + "second"), lines[1]);
    }

    @Test
    void inTheJournalEachLineCarriesItsPriorityAndNothingTheJournalAddsItself() {
        DaemonLog log = DaemonLog.forDaemon(out, true);
        log.info("mounted /uproc");
        log.error("cannot reload\nt.conf:1:1: bad");
        assertEquals("<6>mounted /uproc\n<3>error: cannot reload\n<3>t.conf:1:1: bad\n", written());
    }

    @Test
    void theJournalIsRecognisedByTheDeviceAndInodeOfStandardErrorOnly() throws Exception {
        Path stderr = Path.of("/proc/self/fd/2");
        String actual = Files.getAttribute(stderr, "unix:dev") + ":" + Files.getAttribute(stderr, "unix:ino");
        assertTrue(DaemonLog.standardErrorIsJournal(actual));
        // Inherited by a child whose standard error is elsewhere, the variable means nothing.
        assertFalse(DaemonLog.standardErrorIsJournal(actual + "1"));
        for (String garbage : new String[] {null, "", "1", "a:b", "1:2:3", "-1:2"}) {
            assertFalse(DaemonLog.standardErrorIsJournal(garbage), garbage);
        }
    }
}
