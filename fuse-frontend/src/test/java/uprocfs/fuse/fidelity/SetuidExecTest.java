package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.GroundTruth;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.testing.ProcessResult;
import uprocfs.fuse.it.Scratch;
import uprocfs.fuse.it.Uproc;
import uprocfs.testing.Deadline;

/**
 * An exec of a setuid (setgid) binary changes the effective uid (gid) with no UID (GID)
 * event: the EXEC event is the only sign, and the daemon must read the process again then
 * (fs/exec.c: begin_new_exec commits the new credentials; EventApplier). The C original missed this.
 */
@Tag("root")
class SetuidExecTest extends MountedDaemonTest {
    /** The uid and gid that run the binary. */
    private static final int RUNNER = 60320;
    /** The binary's owner and group, which the exec makes effective. */
    private static final int OWNER = 60321;
    private static final int GROUP = 60322;


    @Test
    void setuidExecMovesTheProcessToTheOwnersUidAndGroup() throws IOException {
        Path binary = setuidSleep();
        Rule owner = Rule.uid(OWNER, "owner");
        Rule runner = Rule.uid(RUNNER, "runner");
        Rule group = Rule.gid(GROUP, "group");
        Rule runnersGroup = Rule.gid(RUNNER, "runners.group");
        Rule both = Rule.uid(OWNER, "owner.group").andGid(GROUP);
        List<Rule> rules = List.of(owner, runner, group, runnersGroup, both);
        scratch.config(Rule.config(rules));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);

        // setpriv drops to the runner (UID and GID events), then execs the binary, which
        // makes the owner and group effective: the real ids stay the runner's.
        started = new ProcessBuilder("setpriv", "--reuid=" + RUNNER, "--regid=" + RUNNER, "--clear-groups",
                binary.toString(), "1000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int pid = (int) started.pid();
        Deadline.awaitLoad(pid + " runs the setuid binary", () ->
                GroundTruth.runningPids(s -> s.euid() == OWNER && s.egid() == GROUP).contains(pid) ? null
                        : "not yet: " + ProcessResult.of("cat", "/proc/" + pid + "/status").out());
        String ids = ProcessResult.of("ps", "-o", "ruid=,euid=,rgid=,egid=", "-p", Integer.toString(pid)).out();
        assertEquals(List.of("60320", "60321", "60320", "60322"), List.of(ids.strip().split("\\s+")),
                "real and effective ids of " + pid);

        files.awaitTruth("the files follow the exec", Deadline.DEFAULT, rules);
        assertEquals(List.of(pid), files.pids(owner.name()));
        assertEquals(List.of(pid), files.pids(group.name()));
        assertEquals(List.of(pid), files.pids(both.name()));
        assertEquals(List.of(), files.pids(runner.name()));
        assertEquals(List.of(), files.pids(runnersGroup.name()));
    }

    /**
     * A copy of sleep owned by {@link #OWNER}:{@link #GROUP}, mode 6755, in a directory whose
     * filesystem honours setuid bits (not mounted nosuid); skips the test where there is none.
     */
    private Path setuidSleep() throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(scratch.dir));
        // The module's build directory: surefire runs in the module.
        candidates.add(Path.of("target").toAbsolutePath());
        for (Path dir : candidates) {
            if (!Files.isDirectory(dir) || nosuid(dir)) {
                continue;
            }
            Path binary = Files.createTempFile(dir, "uprocsuid", "");
            if (!dir.equals(scratch.dir)) {
                binary.toFile().deleteOnExit();
            }
            Files.copy(Path.of("/bin/sleep"), binary, StandardCopyOption.REPLACE_EXISTING);
            // chown first: it clears the set-id bits.
            ProcessResult chown = ProcessResult.of("chown", OWNER + ":" + GROUP, binary.toString());
            assertEquals(0, chown.exitCode(), chown.toString());
            ProcessResult chmod = ProcessResult.of("chmod", "6755", binary.toString());
            assertEquals(0, chmod.exitCode(), chmod.toString());
            return binary;
        }
        assumeTrue(false, "needs a filesystem that honours setuid bits: " + candidates + " are all mounted nosuid");
        return null;
    }

    /** Whether the filesystem holding {@code dir} is mounted nosuid, from /proc/self/mountinfo. */
    private static boolean nosuid(Path dir) throws IOException {
        Path real = dir.toRealPath();
        String bestMount = "";
        boolean bestNosuid = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // id parent major:minor root MOUNTPOINT OPTIONS ...; octal escapes (\040) never
            // matter for the paths here.
            String[] f = line.split(" ");
            String mountPoint = f[4];
            if (real.startsWith(mountPoint) && mountPoint.length() >= bestMount.length()) {
                bestMount = mountPoint;
                bestNosuid = List.of(f[5].split(",")).contains("nosuid");
            }
        }
        return bestNosuid;
    }
}
