package uprocfs.fuse.it;

import uprocfs.testing.ProcessResult;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.fs.HidePid;
import uprocfs.testing.Deadline;

/**
 * The files under /proc's hidepid option, with the real /proc remounted for the duration of
 * the test and its options put back afterwards, whatever happens: a /proc left with
 * hidepid=invisible would hide every process from every other user of the machine.
 */
@Tag("root")
class HidepidRemountTest extends MountedDaemonTest {
    private String procOptions;

    @BeforeEach
    void rememberProcOptions() {
        procOptions = procSuperOptions();
        closeAfter(this::restoreProc);
    }

    /** The super options of the mount at /proc, e.g. {@code rw,hidepid=invisible}. */
    private static String procSuperOptions() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals("/proc")) {
                    return f[f.length - 1];
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/mountinfo", e);
        }
        throw new AssertionError("nothing is mounted at /proc");
    }

    private static void remountProc(String options) {
        ProcessResult r = ProcessResult.of("mount", "-o", "remount," + options, "/proc");
        assertEquals(0, r.exitCode(), "mount -o remount," + options + " /proc: " + r);
    }

    /** Puts back the hidepid and gid /proc had before the test, and checks that it did. */
    private void restoreProc() {
        HidePid before = HidePid.parse(procOptions);
        // gid=0 is the kernel's default, which mountinfo does not list.
        remountProc("hidepid=" + before.level() + ",gid=" + (before.hasGid() ? before.gid() : 0));
        assertEquals(procOptions, procSuperOptions(), "/proc's options are restored");
    }

    private static ProcessResult asUser(String groupOption, String... command) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=60141", "--regid=60141", groupOption));
        all.addAll(List.of(command));
        return ProcessResult.of(all);
    }

    /** Waits until user 60141 reads {@code expected} in {@code file}, and a stat of the same size. */
    private static void awaitUserReads(String why, String groupOption, Path file, List<Integer> expected) {
        String wanted = lines(expected);
        Deadline.await(why, () -> {
            ProcessResult r = asUser(groupOption, "sh", "-c", "stat -c %s " + file + " && cat " + file);
            String expectedOut = wanted.length() + "\n" + wanted;
            return r.exitCode() == 0 && r.out().equals(expectedOut) ? null : "wanted [" + expectedOut + "], got " + r;
        });
    }

    private static String lines(List<Integer> pids) {
        StringBuilder text = new StringBuilder();
        pids.stream().sorted().forEach(pid -> text.append(pid).append('\n'));
        return text.toString();
    }

    @Test
    void underHidepidAUserOutsideItsGroupReadsOnlyTheirOwnProcesses() throws IOException {
        scratch.config("cmd " + Scratch.NAPPER + " naps\n");
        String napper = scratch.napper();
        List<Integer> own = sleepers.start(2, 60141, 60141, napper);
        List<Integer> others = sleepers.start(2, 60142, 60142, napper);
        List<Integer> all = new ArrayList<>(own);
        all.addAll(others);
        mount("-o", "allow_other");
        Path naps = scratch.mnt.resolve("naps");
        awaitUserReads("without hidepid, everyone's naps", "--clear-groups", naps, all);

        remountProc("hidepid=invisible");
        awaitUserReads("under hidepid=invisible, only the user's own", "--clear-groups", naps, own);
        assertEquals(lines(all), Files.readString(naps), "root still reads every process");

        remountProc("hidepid=invisible,gid=60150");
        awaitUserReads("a supplementary member of the gid= group sees all", "--groups=60150", naps, all);
        awaitUserReads("a user outside the gid= group still sees their own", "--clear-groups", naps, own);

        remountProc("hidepid=noaccess,gid=0");
        awaitUserReads("hidepid=noaccess leaves PIDs listed", "--clear-groups", naps, all);
    }
}
