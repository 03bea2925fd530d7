package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.fuse.it.StatusFile;
import uprocfs.fuse.it.Uproc;
import uprocfs.testing.Deadline;

/**
 * A process's status file lists every supplementary group on its {@code Groups:} line,
 * before the {@code Threads:} line: for a directory-service user in 1,000 groups the file is
 * 7 to 12 KiB instead of 1.5. The daemon must still read how many threads the process has,
 * or a process whose leader has exited while its threads run on (State Z, Threads 3) is
 * taken for one that has ended, and leaves its uid's file while it runs and pgrep lists it.
 */
@Tag("root")
class LongGroupListTest extends MountedDaemonTest {
    private static final int UID = 60400;
    /** The supplementary groups: 1,000 gids that need not exist in /etc/group. */
    private static final List<Long> GROUPS = LongStream.range(60400, 61400).boxed().toList();
    private static final int MARKER_UID = 60401;
    private static final int THREADS = 2;

    @Test
    void aZombieLeaderOfAUserIn1000GroupsIsListedAsPgrepListsIt() throws IOException, InterruptedException {
        Path binary = Leaderless.compile(scratch);
        Rule mine = Rule.uid(UID, "uid." + UID);
        Rule marker = Rule.uid(MARKER_UID, "marker");
        List<Rule> rules = List.of(mine);
        scratch.config(Rule.config(List.of(mine, marker)));
        // An audit every second, so that the test also sees one read the process from /proc.
        uproc = Uproc.foreground(scratch, "-o", "audit_interval=1");
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);

        started = Leaderless.start(binary, UID, GROUPS, THREADS);
        int pid = (int) started.pid();
        Leaderless.awaitLeaderExited(started, THREADS);
        Path status = Path.of("/proc", Integer.toString(pid), "status");
        String text = Files.readString(status);
        assertTrue(text.length() > 4096 && text.indexOf("Threads:") > text.indexOf("Groups:"),
                "a long Groups: line before Threads: in " + status + " (" + text.length() + " bytes)");

        // The leader's EXIT event came before /proc showed the zombie; after the marker the
        // daemon has applied it, and read the process from /proc because of it.
        files.awaitCaughtUp(marker);
        assertEquals(List.of(pid), NamespaceFiles.pgrep(UID), "pgrep -u " + UID);
        assertEquals(List.of(pid), files.pids(mine.name()), "the leader exited, the process runs on");
        assertNull(files.mismatch(rules));

        long audits = StatusFile.read(scratch.mnt).number("audits");
        Deadline.await("two more audits", Duration.ofSeconds(15),
                () -> StatusFile.read(scratch.mnt).number("audits") >= audits + 2 ? null : "audits " + audits);
        assertEquals(List.of(pid), files.pids(mine.name()), "an audit keeps the process, reading all its status");
        assertEquals(List.of(pid), NamespaceFiles.pgrep(UID), "pgrep -u " + UID);

        started.getOutputStream().close();
        assertTrue(started.waitFor(Deadline.LOAD.toSeconds(), TimeUnit.SECONDS), "the process ends when told to");
        files.awaitTruth("the process leaves with its last thread", Deadline.DEFAULT, rules);
        assertEquals(List.of(), files.pids(mine.name()));
    }
}
