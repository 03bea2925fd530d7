package uprocfs.fuse.it;

import uprocfs.testing.ProcessResult;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.ExitCode;
import uprocfs.testing.Deadline;

/**
 * The daemon's life as an administrator drives it: starting in the background, refusing
 * what it cannot use before mounting anything, reloading on SIGHUP, stopping on SIGTERM or
 * fusermount -u, and recovering a mountpoint a killed daemon left dead.
 */
@Tag("root")
class LifecycleTest extends MountedDaemonTest {

    /**
     * Runs {@code uproc -o config_file=CONFIG -o log_file=LOG OPTIONS... MNT}, the background
     * start, to its end; the daemon it reports is killed after the test.
     */
    private ProcessResult background(String... options) {
        List<String> args = new ArrayList<>(List.of("-o", "config_file=" + scratch.config, "-o",
                "log_file=" + scratch.log));
        args.addAll(List.of(options));
        args.add(scratch.mnt.toString());
        ProcessResult start = Uproc.run(args.toArray(new String[0]));
        long daemon = Uproc.daemonPid(start);
        if (daemon > 0) {
            closeAfter(() -> ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly));
        }
        return start;
    }

    private List<Integer> pidsIn(String name) {
        try {
            String text = Files.readString(scratch.mnt.resolve(name), StandardCharsets.US_ASCII);
            List<Integer> pids = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    pids.add(Integer.parseInt(line));
                }
            }
            return pids;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + name, e);
        }
    }

    private void awaitGone(long pid) {
        Deadline.await("process " + pid + " ends", () ->
                ProcessHandle.of(pid).map(h -> h.isAlive() ? "still running" : null).orElse(null));
    }

    @Test
    void backgroundStartReturnsOnlyOnceEveryFileIsFilled() {
        List<Integer> started = sleepers.start(20, 60111, 60111, "sleep");
        Deadline.awaitLoad("the sleepers run as 60111", () -> GroundTruth.pids(s -> s.euid() == 60111)
                .containsAll(started) ? null : "not yet");
        scratch.config("uid 60111 u60111\n");

        ProcessResult start = background();
        long backgroundDaemon = Uproc.daemonPid(start);

        List<Integer> listed = pidsIn("u60111");
        assertEquals(0, start.exitCode(), start.toString());
        assertTrue(listed.containsAll(started), "right after the command returned: " + listed);
        assertTrue(backgroundDaemon > 0, start.err());
        assertTrue(start.err().contains("uproc: mounted " + scratch.mnt + ": 1 namespace, "), start.err());
        assertEquals("", start.out());
        assertTrue(scratch.logText().contains("mounted " + scratch.mnt), scratch.logText());
        assertNotEquals(ProcessHandle.current().pid(),
                ProcessHandle.of(backgroundDaemon).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L),
                "the daemon is not a child of the test JVM");

        Uproc.signal(backgroundDaemon, "TERM");
        awaitGone(backgroundDaemon);
        assertFalse(scratch.mounted());
        assertTrue(scratch.logText().contains("stopping: SIGTERM received"), scratch.logText());
    }

    @Test
    void badConfigExitsTwoWithFileLineAndColumnAndMountsNothing() {
        scratch.config("uid 60110 fine\nuid sixty broken\n");
        String position = scratch.config + ":2:5: ";

        ProcessResult inBackground = background();
        assertEquals(ExitCode.CONFIG, inBackground.exitCode(), inBackground.toString());
        assertTrue(inBackground.err().contains(position), inBackground.err());
        assertFalse(scratch.mounted());

        ProcessResult inForeground = Uproc.run("-f", "-o", "config_file=" + scratch.config, scratch.mnt.toString());
        assertEquals(ExitCode.CONFIG, inForeground.exitCode(), inForeground.toString());
        assertTrue(inForeground.err().contains(position), inForeground.err());
        assertFalse(scratch.mounted());
        assertTrue(scratch.processesUsingIt().isEmpty(), "no daemon left: " + scratch.processesUsingIt());
    }

    @Test
    void theConfigurationsWarningsReachTheTerminalOfABackgroundStartBeforeItsVerdict() {
        scratch.config("uid 60120 u60120\ncmd averyveryverylongname long\n");
        String warning = "uproc: " + scratch.config + ":2:5: warning: cmd 'averyveryverylongname' can never match";

        ProcessResult start = background();

        assertEquals(0, start.exitCode(), start.toString());
        int warned = start.err().indexOf(warning);
        assertTrue(warned >= 0, start.err());
        assertTrue(warned < start.err().indexOf("uproc: mounted " + scratch.mnt), start.err());
        assertEquals(1, start.err().split(Pattern.quote(warning), -1).length - 1,
                "said once: " + start.err());
    }

    @Test
    void aDaemonThatDiesWhileStartingIsReportedAndPointsAtTheLog() {
        // The launcher never parses the configuration, so it lives with a heap too small for
        // the daemon, which dies of it (ExitOnOutOfMemoryError) while parsing.
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            rules.append("uid ").append(i).append(" uid.").append(i).append('\n');
        }
        scratch.config(rules.toString());

        ProcessResult r = Uproc.run(List.of("-Xmx24m", "-XX:+ExitOnOutOfMemoryError"), "-o",
                "config_file=" + scratch.config, "-o", "log_file=" + scratch.log, scratch.mnt.toString());

        assertEquals(ExitCode.FAILURE, r.exitCode(), r.toString());
        Matcher ended = Pattern.compile("uproc: error: the daemon \\(pid (\\d+)\\) ended before it was ready; see "
                + Pattern.quote(scratch.log.toString()) + "\n").matcher(r.err());
        assertTrue(ended.find(), r.err());
        awaitGone(Long.parseLong(ended.group(1)));
        assertTrue(scratch.logText().contains("OutOfMemoryError"), "the log says why: " + scratch.logText());
        assertFalse(scratch.mounted());
    }

    @Test
    void aMissingConfigNamedOnTheCommandLineIsAConfigError() {
        ProcessResult r = Uproc.run("-f", "-o", "config_file=" + scratch.dir.resolve("absent.conf"),
                scratch.mnt.toString());
        assertEquals(ExitCode.CONFIG, r.exitCode(), r.toString());
        assertTrue(r.err().contains(scratch.dir.resolve("absent.conf") + ": no such file"), r.err());
    }

    @Test
    void mountpointProblemsExitThreeAndSayWhatToDo() {
        scratch.config("uid 60115 u60115\n");
        Path missing = scratch.dir.resolve("missing");
        ProcessResult r = Uproc.run("-o", "config_file=" + scratch.config, missing.toString());
        assertEquals(ExitCode.MOUNT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("does not exist: create it with: mkdir -p " + missing), r.err());

        mount();
        ProcessResult again = background();
        assertEquals(ExitCode.MOUNT, again.exitCode(), again.toString());
        assertTrue(again.err().contains(scratch.mnt + " is already mounted (uprocfs (fuse.uproc))"), again.err());
    }

    @Test
    void sigtermUnmountsAndExitsZero() {
        scratch.config("uid 60116 u60116\n");
        mount();
        assertTrue(scratch.mounted());
        uproc.signal("TERM");
        assertEquals(ExitCode.OK, uproc.awaitExit(), scratch.logText());
        assertFalse(scratch.mounted());
        assertTrue(scratch.logText().contains("stopping: SIGTERM received"), scratch.logText());
    }

    @Test
    void fusermountFromOutsideEndsTheDaemon() {
        scratch.config("uid 60117 u60117\n");
        mount();
        ProcessResult unmount = ProcessResult.of("fusermount", "-u", scratch.mnt.toString());
        assertEquals(0, unmount.exitCode(), unmount.toString());
        assertEquals(ExitCode.OK, uproc.awaitExit(), scratch.logText());
        assertFalse(scratch.mounted());
        assertTrue(scratch.logText().contains("stopping: unmounted from outside"), scratch.logText());
    }

    @Test
    void sighupWithAnAddedRuleShowsTheNewFileAlreadyFilled() throws IOException {
        List<Integer> started = sleepers.start(5, 60112, 60112, "sleep");
        scratch.config("uid 60113 u60113\n");
        mount();
        Deadline.await("u60113 alone", () -> Files.exists(scratch.mnt.resolve("u60113"))
                && !Files.exists(scratch.mnt.resolve("u60112")) ? null : "files differ");

        Files.writeString(scratch.config, "uid 60112 u60112\n", StandardOpenOption.APPEND);
        uproc.signal("HUP");

        Deadline.await("u60112 appears with the processes of 60112", () -> {
            if (!Files.exists(scratch.mnt.resolve("u60112"))) {
                return "no file yet";
            }
            List<Integer> truth = GroundTruth.pids(s -> s.euid() == 60112);
            List<Integer> listed = pidsIn("u60112");
            return listed.equals(truth) && listed.containsAll(started) ? null : "file " + listed + ", /proc " + truth;
        });
        assertTrue(Files.exists(scratch.mnt.resolve("u60113")));
        assertTrue(uproc.isAlive());
        assertTrue(scratch.mounted());
    }

    @Test
    void sighupWithABrokenConfigKeepsTheRunningOne() throws IOException {
        List<Integer> started = sleepers.start(3, 60114, 60114, "sleep");
        scratch.config("uid 60114 kept\n");
        mount();
        Deadline.await("kept lists the first sleepers", () -> pidsIn("kept").containsAll(started) ? null : "not yet");

        scratch.config("uid 60114 kept\nuid nope broken\n");
        uproc.signal("HUP");
        Deadline.await("the log reports the error with its position", () ->
                scratch.logText().contains(scratch.config + ":2:5: ") ? null : scratch.logText());
        assertTrue(scratch.logText().contains("cannot reload, keeping the running configuration"), scratch.logText());

        List<Integer> more = sleepers.start(2, 60114, 60114, "sleep");
        Deadline.await("kept still follows 60114", () -> {
            List<Integer> listed = pidsIn("kept");
            return listed.containsAll(started) && listed.containsAll(more) ? null : "kept: " + listed;
        });
        assertFalse(Files.exists(scratch.mnt.resolve("broken")));
        assertTrue(uproc.isAlive());
    }

    @Test
    void aMountLeftDeadByAKilledDaemonIsReclaimedAtTheNextStart() {
        scratch.config("uid 60118 u60118\n");
        Uproc killed = mount();
        killed.signal("KILL");
        killed.awaitExit();
        FileSystemException dead = assertThrows(FileSystemException.class,
                () -> Files.readAttributes(scratch.mnt, "unix:dev"));
        assertEquals("Transport endpoint is not connected", dead.getReason());

        List<Integer> started = sleepers.start(2, 60118, 60118, "sleep");
        mount();
        assertTrue(scratch.logText().contains("reclaimed " + scratch.mnt + ": the daemon that served uprocfs "
                + "(fuse.uproc) there is gone (Transport endpoint is not connected)"), scratch.logText());
        Deadline.await("the new daemon serves", () -> pidsIn("u60118").containsAll(started) ? null : "not yet");
    }

    @Test
    void aFailedStartLeavesNoDaemonBehind() {
        scratch.config("uid 60119 u60119\n");
        ProcessResult r = background("-o", "nonempty", "-o", "no_such_fuse_option");
        assertEquals(ExitCode.MOUNT, r.exitCode(), r.toString());
        assertTrue(r.err().contains("libfuse could not mount " + scratch.mnt), r.err());
        assertTrue(scratch.logText().contains("no_such_fuse_option"), "libfuse's own message is in the log: "
                + scratch.logText());
        Deadline.await("no daemon left", () -> scratch.processesUsingIt().isEmpty() ? null
                : "still running: " + scratch.processesUsingIt());
        assertFalse(scratch.mounted());
    }
}
