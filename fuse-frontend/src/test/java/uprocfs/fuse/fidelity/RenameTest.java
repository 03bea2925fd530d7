package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.fuse.it.Scratch;
import uprocfs.fuse.it.Uproc;
import uprocfs.testing.Deadline;

/**
 * A process's name is what {@code cmd} rules match, and it changes without an exec: by
 * prctl(PR_SET_NAME) or by writing /proc/self/comm, both of which go through
 * __set_task_comm and send a COMM event. And a process is its thread group, not its
 * leader thread: when main calls pthread_exit, the process runs on.
 */
@Tag("root")
class RenameTest extends MountedDaemonTest {
    private static final int RENAMED_UID = 60310;
    private static final int LEADERLESS_UID = 60311;
    private static final int MARKER_UID = 60312;
    /** How soon a rename must show: the "within a second", from when /proc shows it. */
    private static final Duration RENAME_SHOWS = Duration.ofSeconds(1);

    private static final String OLD_NAME = "uprocold";
    private static final String NEW_NAME = "uprocnew";
    @Test
    void renamedProcessMovesBetweenCmdNamespaces() throws IOException {
        Rule old = Rule.cmd(OLD_NAME, "old");
        Rule renamed = Rule.cmd(NEW_NAME, "new");
        Rule mineRenamed = Rule.uid(RENAMED_UID, "mine.new").andCmd(NEW_NAME);
        Rule mine = Rule.uid(RENAMED_UID, "mine");
        List<Rule> rules = List.of(old, renamed, mineRenamed, mine);
        scratch.config(Rule.config(rules));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);

        // A copy of bash named uprocold: its comm after exec. On each line it reads, it renames
        // itself to the name on the line, as prctl(PR_SET_NAME) would.
        Path shell = scratch.dir.resolve(OLD_NAME);
        Files.copy(Path.of("/bin/bash"), shell, StandardCopyOption.COPY_ATTRIBUTES);
        started = new ProcessBuilder("setpriv", "--reuid=" + RENAMED_UID, "--regid=" + RENAMED_UID,
                "--clear-groups", shell.toString(), "-c",
                "while read -r name; do printf %s \"$name\" > /proc/$$/comm; done")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int pid = (int) started.pid();
        files.awaitTruth("the shell is listed under its first name", Deadline.DEFAULT, rules);
        assertEquals(List.of(pid), files.pids(old.name()));
        assertEquals(List.of(), files.pids(renamed.name()));

        OutputStream names = started.getOutputStream();
        renameAndAwait(names, pid, NEW_NAME, files, rules);
        assertEquals(List.of(), files.pids(old.name()));
        assertEquals(List.of(pid), files.pids(renamed.name()));
        assertEquals(List.of(pid), files.pids(mineRenamed.name()));
        assertEquals(List.of(pid), files.pids(mine.name()));

        renameAndAwait(names, pid, OLD_NAME, files, rules);
        assertEquals(List.of(pid), files.pids(old.name()));
        assertEquals(List.of(), files.pids(renamed.name()));
        assertEquals(List.of(), files.pids(mineRenamed.name()));
    }

    /** Asks the shell to rename itself; once /proc shows the name, the files have a second to follow. */
    private static void renameAndAwait(OutputStream names, int pid, String name, NamespaceFiles files,
                                       List<Rule> rules) throws IOException {
        names.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
        names.flush();
        Path comm = Path.of("/proc", Integer.toString(pid), "comm");
        Deadline.awaitLoad(pid + " renames itself " + name, () -> {
            try {
                String now = Files.readString(comm).strip();
                return now.equals(name) ? null : "comm is " + now;
            } catch (IOException e) {
                throw new AssertionError(pid + " ended", e);
            }
        });
        files.awaitTruth("the files follow the rename to " + name, RENAME_SHOWS, rules);
    }

    @Test
    void processWhoseLeaderExitedStaysListedUntilItsLastThreadEnds() throws IOException, InterruptedException {
        Path binary = Leaderless.compile(scratch);
        Rule leaderless = Rule.uid(LEADERLESS_UID, "leaderless");
        Rule byName = Rule.cmd(Leaderless.NAME, "leaderless.byname");
        Rule marker = Rule.uid(MARKER_UID, "marker");
        List<Rule> rules = List.of(leaderless, byName);
        scratch.config(Rule.config(List.of(leaderless, byName, marker)));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);

        started = Leaderless.start(binary, LEADERLESS_UID, List.of(), 1);
        int pid = (int) started.pid();
        Leaderless.awaitLeaderExited(started, 1);

        // The leader's EXIT event (pid == tgid) was sent before /proc showed the zombie, so
        // once a later marker has shown in its file, the daemon has applied it.
        files.awaitCaughtUp(marker);
        assertEquals(List.of(pid), files.pids(leaderless.name()), "the leader exited, the process runs on");
        assertEquals(List.of(pid), files.pids(byName.name()));
        assertNull(files.mismatch(rules));

        started.getOutputStream().close();
        assertTrue(started.waitFor(Deadline.LOAD.toSeconds(), TimeUnit.SECONDS),
                "the process ends with its last thread");
        assertEquals(0, started.exitValue());
        files.awaitTruth("the process leaves with its last thread", Deadline.DEFAULT, rules);
        assertEquals(List.of(), files.pids(leaderless.name()));
    }
}
