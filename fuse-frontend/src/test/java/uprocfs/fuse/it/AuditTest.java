package uprocfs.fuse.it;

import uprocfs.testing.ProcessResult;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.ExitCode;
import uprocfs.testing.Deadline;

/** The periodic audit of a real daemon against the real /proc: it runs, it finds nothing, it stops. */
@Tag("root")
class AuditTest extends MountedDaemonTest {

    /** The names of the daemon's threads, from /proc/PID/task/TID/comm. */
    private static List<String> threads(long pid) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    names.add(Files.readString(task.resolve("comm")).trim());
                } catch (IOException e) {
                    // The thread ended while we listed them.
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list the threads of " + pid, e);
        }
        return names;
    }

    /** Waits until {@code count} audits have run, and returns the status then. */
    private StatusFile awaitAudits(int count) {
        Deadline.await(count + " audits ran", Duration.ofSeconds(15), () -> {
            StatusFile status = StatusFile.read(scratch.mnt);
            return status.number("audits") >= count ? null : status.toString();
        });
        return StatusFile.read(scratch.mnt);
    }

    @Test
    void auditsEverySecondAreCountedOnTheirOwnThreadWhichStopsWithTheDaemon() {
        scratch.config("uid 60136 u60136\n");
        sleepers.start(3, 60136, 60136, "sleep");
        mount("-o", "audit_interval=1");
        Deadline.await("the daemon runs a uproc-audit thread", () -> {
            List<String> threads = threads(uproc.pid());
            return threads.contains("uproc-audit") ? null : threads.toString();
        });

        StatusFile status = awaitAudits(2);
        assertEquals("1", status.get("audit_interval_seconds"));
        assertFalse(status.get("last_audit").equals("never"));

        uproc.signal("TERM");
        assertEquals(ExitCode.OK, uproc.awaitExit(), scratch.logText());
        assertFalse(scratch.logText().contains("audit failed"), scratch.logText());
        assertTrue(scratch.logText().contains("stopped"), scratch.logText());
    }

    @Test
    void aQuietRunRepairsNothing() {
        scratch.config("uid 60139 u60139\n");
        mount("-o", "audit_interval=1");
        StatusFile status = awaitAudits(3);
        assertEquals("0", status.get("audit_repairs"), "nothing drifts in a healthy run: " + status);
        assertFalse(scratch.logText().contains("audit"), "a healthy audit says nothing: " + scratch.logText());
    }

    @Test
    void anIntervalOfZeroRunsNoAudit() {
        scratch.config("uid 60137 u60137\n");
        mount("-o", "audit_interval=0");
        assertFalse(threads(uproc.pid()).contains("uproc-audit"), threads(uproc.pid()).toString());
        StatusFile status = StatusFile.read(scratch.mnt);
        assertEquals("0", status.get("audit_interval_seconds"));
        assertEquals("never", status.get("last_audit"));
    }

    @Test
    void anIntervalThatIsNotANumberOfSecondsIsAUsageError() {
        scratch.config("uid 60138 u60138\n");
        ProcessResult r = Uproc.run("-f", "-o", "config_file=" + scratch.config, "-o", "audit_interval=5m",
                scratch.mnt.toString());
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertEquals("uproc: error: -o audit_interval=5m: expected a whole number of seconds (0 turns the audit off), "
                + "e.g. -o audit_interval=300\n", r.err());
        assertFalse(scratch.mounted());
    }
}
