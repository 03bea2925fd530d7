package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.GroundTruth;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.testing.ProcessResult;
import uprocfs.fuse.it.StatusFile;
import uprocfs.testing.Deadline;

/**
 * Templates, process trees, executables and command lines on a real mount, each file
 * compared with what /proc shows (or, for a tree, with the processes the test started in
 * it, which /proc's parent links no longer show once they are re-parented).
 */
@Tag("root")
class ExtendedRulesFidelityTest extends MountedDaemonTest {
    private static final int UID_A = 60700;
    private static final int UID_B = 60701;
    private static final int UID_NEW = 60702;
    private static final int GID_STAFF = 60703;
    private static final int UID_SESSION = 60704;
    private static final int UID_OUTSIDE = 60705;
    private static final int UID_RELOAD = 60706;
    private static final String NEW_USER = "uproctest60702";

    /** Every process the test started outside {@link #sleepers}, killed by PID afterwards. */
    private final List<Long> startedPids = new ArrayList<>();

    private void killStartedAfterwards() {
        closeAfter(() -> {
            for (long pid : startedPids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        });
    }

    private String file(String name) {
        try {
            return Files.readString(scratch.mnt.resolve(name));
        } catch (IOException e) {
            return null;
        }
    }

    private static String lines(List<? extends Number> pids) {
        StringBuilder text = new StringBuilder();
        pids.stream().mapToLong(Number::longValue).sorted().forEach(p -> text.append(p).append('\n'));
        return text.toString();
    }

    /** Waits until the file {@code name} holds exactly the PIDs {@code truth} gives, both read anew each time. */
    private void awaitFile(String name, Supplier<List<? extends Number>> truth) {
        Deadline.await(name + " as /proc has it", () -> {
            String expected = lines(truth.get());
            String actual = file(name);
            return expected.equals(actual) ? null : "expected [" + expected + "] but the file holds [" + actual + "]";
        });
    }

    private void awaitGone(String name) {
        Deadline.await(name + " gone with its last member", () ->
                Files.exists(scratch.mnt.resolve(name)) ? "still there: [" + file(name) + "]" : null);
    }

    /** A copy of {@code program} named {@code name}, so its processes have that comm. */
    private String copy(String program, String name) throws IOException {
        Path copy = scratch.dir.resolve(name);
        Files.copy(Path.of(program), copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        return copy.toString();
    }

    private Process start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        startedPids.add(p.pid());
        return p;
    }

    private long pidIn(Path file) {
        Deadline.await(file + " written", () -> {
            try {
                return Files.readString(file).strip().isEmpty() ? "empty" : null;
            } catch (IOException e) {
                return "not yet";
            }
        });
        try {
            long pid = Long.parseLong(Files.readString(file).strip());
            startedPids.add(pid);
            return pid;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oneFilePerUserAndCommandFollowsProcessesAndAUserCreatedMeanwhile() throws IOException {
        String napper = scratch.napper("uprocnapt");
        scratch.config("uid * user.{user}\ncmd * cmd.{cmd}\ngid " + GID_STAFF + " cmd * staff.{cmd}\n"
                + "uid * cmd * {user}.{cmd}\n");
        mount();
        sleepers.start(2, UID_A, UID_A, "sleep");
        sleepers.start(1, UID_B, GID_STAFF, napper);
        awaitFile("user." + UID_A, () -> GroundTruth.runningPids(s -> s.euid() == UID_A));
        awaitFile("user." + UID_B, () -> GroundTruth.runningPids(s -> s.euid() == UID_B));
        awaitFile("user.root", () -> GroundTruth.runningPids(s -> s.euid() == 0));
        awaitFile("cmd.uprocnapt", () -> GroundTruth.runningPids(s -> s.name().equals("uprocnapt")));
        awaitFile("staff.uprocnapt", () -> GroundTruth.runningPids(s -> s.name().equals("uprocnapt")
                && s.egid() == GID_STAFF));
        awaitFile(UID_A + ".sleep", () -> GroundTruth.runningPids(s -> s.euid() == UID_A && s.name().equals("sleep")));
        awaitFile(UID_B + ".uprocnapt", () -> GroundTruth.runningPids(s -> s.euid() == UID_B
                && s.name().equals("uprocnapt")));
        assertFalse(Files.exists(scratch.mnt.resolve("user." + UID_NEW)));

        ProcessResult add = ProcessResult.of("useradd", "-u", Integer.toString(UID_NEW), "-M", "-N", "-s",
                "/usr/sbin/nologin", NEW_USER);
        assertEquals(0, add.exitCode(), add.toString());
        closeAfter(() -> ProcessResult.of("userdel", NEW_USER));
        sleepers.start(1, UID_NEW, UID_NEW, "sleep");
        awaitFile("user." + NEW_USER, () -> GroundTruth.runningPids(s -> s.euid() == UID_NEW));
        assertTrue(Integer.parseInt(StatusFile.read(scratch.mnt).values().get("templated_files")) >= 5);

        sleepers.killAll();
        for (String name : List.of("user." + UID_A, "user." + UID_B, "user." + NEW_USER, "cmd.uprocnapt",
                "staff.uprocnapt")) {
            awaitGone(name);
        }
    }

    @Test
    void aTreeKeepsItsProcessesWhenTheirRootExitsAndADaemonDoubleForks() throws IOException {
        String root = copy("/bin/dash", "uproctroot");
        String nap = scratch.napper("uproctnap");
        Path d = scratch.dir;
        scratch.config("cmd uproctroot root\nunder root all\nunder root cmd uproctnap naps\n"
                + "under root uid " + UID_SESSION + " sessions\n");
        mount();
        killStartedAfterwards();
        sleepers.start(1, UID_OUTSIDE, UID_OUTSIDE, nap);
        // The root starts: a child that execs the napper later, a shell with a grandchild, a
        // daemon that double-forks (its parent exits at once, so it is re-parented), and a
        // session under another uid; then the root exits while they all run.
        String script = String.join("\n",
                "sh -c 'read x < " + d.resolve("go") + "; exec " + nap + " 1000' & echo $! > " + d.resolve("child"),
                "sh -c '" + nap + " 1000 & echo $! > " + d.resolve("grandchild") + "; wait' & echo $! > "
                        + d.resolve("mid"),
                "( " + nap + " 1000 & echo $! > " + d.resolve("daemon") + " ) &",
                "setpriv --reuid=" + UID_SESSION + " --regid=" + UID_SESSION + " --clear-groups " + nap
                        + " 1000 & echo $! > " + d.resolve("session"),
                "sleep 0.5", "exit 0");
        ProcessResult.of("mkfifo", d.resolve("go").toString());
        Process rootProcess = start(List.of(root, "-c", script));
        long child = pidIn(d.resolve("child"));
        long grandchild = pidIn(d.resolve("grandchild"));
        long mid = pidIn(d.resolve("mid"));
        long daemon = pidIn(d.resolve("daemon"));
        long session = pidIn(d.resolve("session"));
        try {
            assertTrue(rootProcess.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the root did not exit");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        // The child now execs the napper: an exec takes no process out of its tree.
        try (OutputStream go = Files.newOutputStream(d.resolve("go"))) {
            go.write("go\n".getBytes(StandardCharsets.US_ASCII));
        }
        Deadline.await("the child runs the napper", () -> "uproctnap".equals(comm(child)) ? null : comm(child));
        long daemonParent = ProcessHandle.of(daemon).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                .orElse(-1L);
        assertNotEquals(rootProcess.pid(), daemonParent);
        assertFalse(List.of(child, mid, grandchild, session).contains(daemonParent),
                "the daemon was re-parented out of the tree: " + daemonParent);

        awaitFile("naps", () -> running(child, grandchild, daemon, session));
        awaitFile("sessions", () -> running(session));
        awaitFile("all", () -> running(child, grandchild, mid, daemon, session));
        assertEquals("", file("root"), "the root has exited");
    }

    @Test
    void exeAndArgsFollowAnExecThatChangesThem() throws IOException {
        String nap = scratch.napper("uprocexe");
        Path go = scratch.dir.resolve("go");
        scratch.config("exe " + nap + " byexe\nargs \"uprocargs-[0-9]+ keep$\" byargs\n");
        mount();
        killStartedAfterwards();
        ProcessResult.of("mkfifo", go.toString());
        Process p = start(List.of("sh", "-c", "read x < " + go + "; exec " + nap + " 1000", "sh", "uprocargs-7",
                "keep"));
        awaitFile("byargs", () -> GroundTruth.runningPids(s -> commandLine(s.pid()).matches(".*uprocargs-[0-9]+ keep")));
        assertEquals(List.of(p.pid()), pids(file("byargs")));
        assertEquals("", file("byexe"));
        try (OutputStream w = Files.newOutputStream(go)) {
            w.write("go\n".getBytes(StandardCharsets.US_ASCII));
        }
        awaitFile("byexe", () -> GroundTruth.runningPids(s -> nap.equals(exe(s.pid()))));
        assertEquals(List.of(p.pid()), pids(file("byexe")));
        awaitFile("byargs", List::of);
    }

    @Test
    void aReloadAddsAndRemovesEachKindFilledFromWhatIsRunning() throws IOException {
        String root = copy("/bin/dash", "uproctroot2");
        String nap = scratch.napper("uprocrnap");
        scratch.config("uid " + UID_RELOAD + " plain\n");
        mount();
        killStartedAfterwards();
        Process rootProcess = start(List.of(root, "-c", "setpriv --reuid=" + UID_RELOAD + " --regid=" + UID_RELOAD
                + " --clear-groups " + nap + " 1000 & wait"));
        sleepers.start(1, UID_RELOAD, UID_RELOAD, nap);
        awaitFile("plain", () -> GroundTruth.runningPids(s -> s.euid() == UID_RELOAD));
        List<Long> inTree = new ArrayList<>();
        Deadline.await("the root's child", () -> {
            inTree.clear();
            rootProcess.children().forEach(c -> inTree.add(c.pid()));
            return inTree.size() == 1 ? null : "children " + inTree;
        });
        startedPids.addAll(inTree);

        scratch.config("uid " + UID_RELOAD + " plain\ncmd uproctroot2 r\nunder r inr\nuid * user.{uid}\nexe "
                + nap + " e\nargs \"uprocrnap 1000\" a\n");
        uproc.signal("HUP");
        awaitFile("inr", () -> running(inTree.get(0), rootProcess.pid()));
        awaitFile("user." + UID_RELOAD, () -> GroundTruth.runningPids(s -> s.euid() == UID_RELOAD));
        awaitFile("e", () -> GroundTruth.runningPids(s -> nap.equals(exe(s.pid()))));
        awaitFile("a", () -> GroundTruth.runningPids(s -> commandLine(s.pid()).contains("uprocrnap 1000")));

        scratch.config("uid " + UID_RELOAD + " plain\n");
        uproc.signal("HUP");
        for (String name : List.of("inr", "r", "e", "a", "user." + UID_RELOAD)) {
            awaitGone(name);
        }
        awaitFile("plain", () -> GroundTruth.runningPids(s -> s.euid() == UID_RELOAD));
    }

    private static List<Long> running(long... pids) {
        List<Long> out = new ArrayList<>();
        for (long pid : pids) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                out.add(pid);
            }
        }
        return out;
    }

    private static List<Long> pids(String text) {
        List<Long> out = new ArrayList<>();
        if (text != null) {
            text.lines().forEach(l -> out.add(Long.parseLong(l)));
        }
        return out;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static String exe(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static String commandLine(int pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            String text = new String(raw, StandardCharsets.UTF_8);
            return text.endsWith("\0") ? text.substring(0, text.length() - 1).replace('\0', ' ')
                    : text.replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
