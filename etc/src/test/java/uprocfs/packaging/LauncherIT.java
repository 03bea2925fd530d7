package uprocfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import uprocfs.testing.Deadline;
import uprocfs.testing.ProcessResult;
import uprocfs.testing.RootEnvironment;

/**
 * The launcher (bin/uproc, installed as /usr/bin/uproc) starting a daemon in the background
 * from the jar this build made: the daemon's JVM is the only one started, the command returns
 * once every file is filled with the daemon's verdict as its exit code, the daemon keeps
 * nothing of the caller's (output, working directory), and every way a start fails is said
 * on the terminal.
 */
class LauncherIT {
    /** The uid and gid of the processes the namespace under test lists. */
    private static final int SLEEPER_ID = 60140;
    private static final Path LAUNCHER = Path.of("bin/uproc").toAbsolutePath();
    private static final Path JAR = Path.of("../fuse-frontend/target/uproc.jar").toAbsolutePath().normalize();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Pattern STARTED = Pattern.compile("; daemon pid (\\d+), log (.*)\n");

    private Path work;
    private Path mnt;
    private Path config;
    private Path log;
    private Path tmp;
    private final List<Process> sleepers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        RootEnvironment.assumeRootWithFuse();
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the fuse-frontend module builds it (mvn package)");
        work = Files.createTempDirectory("uprocfs-launcher");
        mnt = Files.createDirectory(work.resolve("mnt"));
        config = work.resolve("uproc.conf");
        log = work.resolve("uproc.log");
        tmp = Files.createDirectory(work.resolve("tmp"));
    }

    @AfterEach
    void tearDown() {
        for (Process p : sleepers) {
            p.destroyForcibly();
        }
        if (work == null) {
            return;
        }
        // Any daemon left on this test's mountpoint, then the mount.
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(mnt.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        if (mounted()) {
            ProcessResult.of("fusermount", "-uz", mnt.toString());
        }
        ProcessResult.of("rm", "-rf", work.toString());
    }

    private ProcessResult launch(Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8",
                "UPROC_JAR", JAR.toString(), "UPROC_CACHE_DIR", work.resolve("cache").toString(),
                "TMPDIR", tmp.toString()));
        env.putAll(extra);
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        // ProcessResult reads both outputs to their end: it returns only if the daemon kept neither.
        ProcessResult r = ProcessResult.of(command, env, START);
        // The first start of each test makes its class-data archive, and says so; not what is tested.
        return new ProcessResult(r.exitCode(), r.out(), r.err().replaceFirst("^uproc: making the class-data archive "
                + "[^\n]*\n", ""));
    }

    private ProcessResult background(String... more) {
        List<String> args = new ArrayList<>(List.of("-o", "config_file=" + config + ",log_file=" + log));
        args.addAll(List.of(more));
        args.add(mnt.toString());
        return launch(Map.of(), args.toArray(String[]::new));
    }

    private boolean mounted() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.anyMatch(l -> l.split(" ")[4].equals(mnt.toString()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static long started(ProcessResult r) {
        Matcher m = STARTED.matcher(r.err());
        assertTrue(m.find(), r.toString());
        return Long.parseLong(m.group(1));
    }

    private static void stop(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        Deadline.await("daemon " + pid + " ends", () ->
                ProcessHandle.of(pid).map(h -> h.isAlive() ? "still running" : null).orElse(null));
    }

    @Test
    void aBackgroundStartIsOneJvmThatReturnsOnceEveryFileIsFilled() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Process p = new ProcessBuilder("setpriv", "--reuid=" + SLEEPER_ID, "--regid=" + SLEEPER_ID,
                    "--clear-groups", "sleep", "600").redirectInput(new File("/dev/null")).start();
            sleepers.add(p);
            pids.add(p.pid());
        }
        Deadline.awaitLoad("the sleepers run as " + SLEEPER_ID, () -> pids.stream().allMatch(pid ->
                read(Path.of("/proc/" + pid + "/status")).contains("\nUid:\t" + SLEEPER_ID + "\t")) ? null : "not yet");
        Files.writeString(config, "uid " + SLEEPER_ID + " sleepers\n");

        ProcessResult start = background();

        assertEquals(0, start.exitCode(), start.toString());
        String listed = read(mnt.resolve("sleepers"));
        long daemon = started(start);
        try {
            for (long pid : pids) {
                assertTrue(listed.contains(pid + "\n"), "right after the command returned: " + listed);
            }
            assertTrue(start.err().startsWith("uproc: mounted " + mnt + ": 1 namespace, "), start.err());
            assertTrue(start.err().endsWith("; daemon pid " + daemon + ", log " + log + "\n"), start.err());
            assertEquals("", start.out());
            // The JVM the launcher started is the daemon: no second one was started for it.
            String cmdline = read(Path.of("/proc/" + daemon + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains(" -jar " + JAR + " "), cmdline);
            assertEquals(Path.of("/"), Path.of("/proc/" + daemon + "/cwd").toRealPath());
            assertEquals(log, Path.of("/proc/" + daemon + "/fd/2").toRealPath());
            assertEquals(Path.of("/dev/null"), Path.of("/proc/" + daemon + "/fd/0").toRealPath());
            assertTrue(read(log).contains("mounted " + mnt), read(log));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "the launcher's FIFO directory is gone");
            }
        } finally {
            stop(daemon);
        }
        assertFalse(mounted());
    }

    @Test
    void everyFailedStartIsSaidOnTheTerminalWithItsExitCodeAndLeavesNoDaemon() throws IOException {
        Files.writeString(config, "uid 60141 fine\nuid sixty broken\n");
        ProcessResult bad = background();
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().startsWith("uproc: error: " + config + ":2:5: "), bad.toString());

        Files.writeString(config, "uid 60141 fine\n");
        ProcessResult noLog = launch(Map.of(), "-o", "config_file=" + config + ",log_file=" + work.resolve("no/x.log"),
                mnt.toString());
        assertEquals(1, noLog.exitCode(), noLog.toString());
        assertTrue(noLog.err().contains("cannot write the log file " + work.resolve("no/x.log")), noLog.toString());

        ProcessResult noMountpoint = launch(Map.of(), "-o", "config_file=" + config + ",log_file=" + log,
                work.resolve("absent").toString());
        assertEquals(3, noMountpoint.exitCode(), noMountpoint.toString());
        assertTrue(noMountpoint.err().contains("mkdir -p " + work.resolve("absent")), noMountpoint.toString());

        ProcessResult badOption = background("-o", "attr_timeout=5");
        assertEquals(1, badOption.exitCode(), badOption.toString());
        assertTrue(badOption.err().startsWith("uproc: error: -o attr_timeout=5 cannot be used"), badOption.toString());

        assertFalse(mounted());
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().arguments()
                .map(a -> List.of(a).contains(mnt.toString())).orElse(false)), "a daemon was left behind");
    }

    @Test
    void theConfigurationsWarningsComeBeforeTheVerdict() throws IOException {
        Files.writeString(config, "uid 60141 fine\ncmd averyveryverylongname long\n");
        ProcessResult start = background();
        assertEquals(0, start.exitCode(), start.toString());
        stop(started(start));
        String warning = "uproc: " + config + ":2:5: warning: cmd 'averyveryverylongname' can never match";
        assertTrue(start.err().startsWith(warning), start.err());
        assertTrue(start.err().indexOf("uproc: mounted " + mnt) > 0, start.err());
    }

    @Test
    void aDaemonThatDiesWhileStartingIsReportedAndPointsAtTheLog() throws IOException {
        // A heap too small for 200,000 rules: the daemon dies of it (ExitOnOutOfMemoryError) while parsing.
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            rules.append("uid ").append(i).append(" uid.").append(i).append('\n');
        }
        Files.writeString(config, rules);

        ProcessResult r = launch(Map.of("JAVA_TOOL_OPTIONS", "-Xmx40m"), "-o",
                "config_file=" + config + ",log_file=" + log, mnt.toString());

        assertEquals(5, r.exitCode(), r.toString());
        assertTrue(r.err().matches("(?s).*uproc: error: the daemon \\(pid \\d+\\) ended before it was ready; see "
                + Pattern.quote(log.toString()) + "\n"), r.toString());
        assertTrue(read(log).contains("OutOfMemoryError"), "the log says why: " + read(log));
        assertFalse(mounted());
    }
}
