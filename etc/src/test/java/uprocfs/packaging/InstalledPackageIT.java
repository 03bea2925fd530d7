package uprocfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import uprocfs.testing.Deadline;
import uprocfs.testing.NotifySocket;
import uprocfs.testing.ProcessResult;
import uprocfs.testing.RootEnvironment;

/**
 * The package installed on this machine with apt-get, as an administrator would, and used
 * from its installed files alone: the unit's commands run as systemd would run them (its
 * variables, its capability bounding set, no new privileges, a socket standing in for
 * $NOTIFY_SOCKET), {@code uproc --check}, man pages, a conffile edit kept across a
 * reinstall, and a purge with a daemon running that leaves no file, mount or process.
 *
 * <p>systemd itself is not PID 1 on these machines (docs/PACKAGING.md), so the unit is
 * verified with {@code systemd-analyze verify} and its command lines are run here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstalledPackageIT {
    /** The uid and gid of the processes the namespaces under test list. */
    private static final int SLEEPER_ID = 60600;
    private static final Duration START = Duration.ofSeconds(90);
    private static final Map<String, String> APT_ENVIRONMENT = Map.of(
            "PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND", "noninteractive", "LANG", "C.UTF-8");
    private static final Map<String, String> PLAIN_ENVIRONMENT = Map.of(
            "PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");

    private Path work;
    private Path config;
    private final List<Process> started = new ArrayList<>();
    private final List<Path> mounts = new ArrayList<>();
    private List<String> installedFiles;

    @BeforeAll
    void install() throws IOException {
        RootEnvironment.assumeRootWithFuse();
        for (String command : List.of("apt-get", "dpkg-query", "systemd-analyze", "logrotate", "man")) {
            assumeTrue(RootEnvironment.onPath(command), "needs " + command + ": tools/install-deps installs it");
        }
        assumeFalse(installed(), "the uprocfs package is installed on this machine, and this test installs, "
                + "reinstalls and purges it: remove it first (apt-get purge uprocfs)");
        work = Files.createTempDirectory("uprocfs-installed");
        config = work.resolve("uproc.conf");
        Files.writeString(config, "uid " + SLEEPER_ID + " sleepers\ncmd sleep sleep\n");
        apt("install", "-y", Deb.file().toString());
        assertTrue(installed(), "apt-get install did not install uprocfs");
        installedFiles = new ArrayList<>();
        for (String path : Deb.lines(Deb.run("dpkg-query", "-L", Deb.NAME).out())) {
            if (Files.isRegularFile(Path.of(path))) {
                installedFiles.add(path);
            }
        }
    }

    @AfterAll
    void cleanUp() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Path mount : mounts) {
            if (mounted(mount)) {
                ProcessResult.of("fusermount", "-uz", mount.toString());
            }
        }
        if (installed()) {
            ProcessResult.of(List.of("apt-get", "purge", "-y", Deb.NAME), APT_ENVIRONMENT, Duration.ofMinutes(2));
        }
        if (work != null) {
            ProcessResult.of("rm", "-rf", work.toString());
        }
    }

    @Test
    @Order(1)
    void theUnitVerifiesAndTheManPagesAreFound() {
        assertTrue(installedFiles.containsAll(List.of(Deb.UPROC.toString(), Deb.JAR.toString(), Deb.UNIT.toString(),
                Deb.DEFAULTS.toString())), installedFiles.toString());
        ProcessResult verify = ProcessResult.of(List.of("systemd-analyze", "verify", Deb.UNIT.toString()),
                PLAIN_ENVIRONMENT, Duration.ofSeconds(60));
        assertEquals(0, verify.exitCode(), verify.toString());
        assertFalse((verify.out() + verify.err()).contains("uprocfs.service"), verify.toString());
        assertEquals("/usr/share/man/man8/uproc.8.gz", Deb.run("man", "-w", "uproc").out().strip());
        assertEquals("/usr/share/man/man5/uproc.conf.5.gz", Deb.run("man", "-w", "uproc.conf").out().strip());
        assertEquals("/usr/share/man/man8/uproc-config.8.gz", Deb.run("man", "-w", "uproc-config").out().strip());
    }

    @Test
    @Order(2)
    void checkValidatesAConfigurationAndMountsNothing() throws IOException {
        int mountsBefore = fuseMounts();
        ProcessResult good = uproc("--check", "-o", "config_file=" + config);
        assertEquals(0, good.exitCode(), good.toString());
        assertTrue(good.out().contains("2 namespaces"), good.toString());
        if (!Files.exists(Path.of("/etc/uproc.conf"))) {
            ProcessResult fallback = uproc("--check");
            assertEquals(0, fallback.exitCode(), fallback.toString());
            assertTrue(fallback.out().contains("namespaces"), fallback.toString());
        }
        Path broken = work.resolve("broken.conf");
        Files.writeString(broken, "uid 1 fine\nuser 1000 bad\n");
        ProcessResult bad = uproc("--check", "-o", "config_file=" + broken);
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains(broken + ":2:1:"), bad.toString());
        assertEquals(mountsBefore, fuseMounts(), "uproc --check mounted something");
    }

    @Test
    @Order(3)
    void theUnitsCommandsRunTheServiceAsSystemdWould() throws Exception {
        Path mountPoint = work.resolve("mnt");
        Files.writeString(Deb.DEFAULTS, "# edited by InstalledPackageIT\nUPROC_MOUNTPOINT=" + mountPoint
                + "\nUPROC_OPTIONS=\"-o allow_other -o config_file=" + config + "\"\n");
        Unit unit = Unit.read(Deb.UNIT);
        assertEquals("notify", unit.get("Type"));
        assertEquals("yes", unit.get("NoNewPrivileges"));
        for (List<String> pre : unit.commands("ExecStartPre")) {
            assertEquals(0, ProcessResult.of(pre, PLAIN_ENVIRONMENT, Duration.ofSeconds(30)).exitCode(), pre.toString());
        }
        assertTrue(Files.isDirectory(mountPoint), "ExecStartPre did not make " + mountPoint);
        mounts.add(mountPoint);

        Path journal = work.resolve("journal");
        Files.createFile(journal);
        try (NotifySocket systemd = new NotifySocket(work.resolve("notify"))) {
            List<String> command = new ArrayList<>(List.of("setpriv", "--no-new-privs", "--inh-caps=-all",
                    "--bounding-set=" + unit.boundingSetForSetpriv()));
            command.addAll(unit.commands("ExecStart").get(0));
            ProcessBuilder builder = new ProcessBuilder(command).directory(new File("/"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(journal.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(journal.toFile()));
            Map<String, String> env = builder.environment();
            env.clear();
            env.putAll(PLAIN_ENVIRONMENT);
            env.put("NOTIFY_SOCKET", systemd.path().toString());
            env.put("WATCHDOG_USEC", "1000000");
            // As systemd sets it when standard error is the journal's stream.
            env.put("JOURNAL_STREAM", Files.getAttribute(journal, "unix:dev") + ":"
                    + Files.getAttribute(journal, "unix:ino"));
            Process daemon = builder.start();
            started.add(daemon);

            String ready = systemd.await("READY=1", START);
            assertEquals(String.valueOf(daemon.pid()), NotifySocket.value(ready, "MAINPID"),
                    "READY=1 from another process than the one systemd started: " + systemd.seen());
            assertTrue(mounted(mountPoint), mountPoint + " is not mounted at READY=1");
            assertNotNull(NotifySocket.value(String.join("\n", systemd.seen()), "STATUS"),
                    "no STATUS= by READY=1: " + systemd.seen());

            Process sleeper = new ProcessBuilder("setpriv", "--reuid=" + SLEEPER_ID, "--regid=" + SLEEPER_ID,
                    "--clear-groups", "sleep", "1000").start();
            started.add(sleeper);
            Path sleepers = mountPoint.resolve("sleepers");
            Deadline.await("the sleeper listed in " + sleepers, () -> {
                String pids = read(sleepers);
                return pids.equals(sleeper.pid() + "\n") ? null : "file holds [" + pids + "]";
            });

            // systemctl reload: the unit's ExecReload lines, in order, with $MAINPID set.
            List<List<String>> reload = unit.with("MAINPID", String.valueOf(daemon.pid())).commands("ExecReload");
            assertEquals(2, reload.size(), reload.toString());
            ProcessResult check = ProcessResult.of(reload.get(0), PLAIN_ENVIRONMENT, Duration.ofSeconds(60));
            assertEquals(0, check.exitCode(), reload.get(0) + ": " + check);
            List<String> hup = reload.get(1);
            assertEquals(0, ProcessResult.of(hup, PLAIN_ENVIRONMENT, Duration.ofSeconds(10)).exitCode(), hup.toString());
            systemd.await("RELOADING=1", Duration.ofSeconds(30));
            systemd.await("READY=1", Duration.ofSeconds(30));

            // A broken configuration fails the reload before the daemon is signalled.
            String good = Files.readString(config);
            Files.writeString(config, good + "user 1 bad\n");
            ProcessResult refused = ProcessResult.of(reload.get(0), PLAIN_ENVIRONMENT, Duration.ofSeconds(60));
            assertEquals(2, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains(config + ":3:1:"), refused.toString());
            Files.writeString(config, good);

            systemd.await("WATCHDOG=1", Duration.ofSeconds(30));
            systemd.await("WATCHDOG=1", Duration.ofSeconds(30));

            sleeper.destroy();
            Deadline.await(sleepers + " empty once the sleeper ended", () -> {
                String pids = read(sleepers);
                return pids.isEmpty() ? null : "file holds [" + pids + "]";
            });

            // systemctl stop: SIGTERM to the main process.
            daemon.destroy();
            systemd.await("STOPPING=1", Duration.ofSeconds(30));
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "the daemon did not exit within 30 s of SIGTERM");
            assertEquals(0, daemon.exitValue(), Files.readString(journal));
            assertFalse(mounted(mountPoint), mountPoint + " still mounted after the stop");
        }
        // Under the journal, lines carry sd-daemon priorities and no timestamps of their own.
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>") && l.contains("mounted " + mountPoint)),
                String.join("\n", lines));
        for (String line : lines) {
            if (line.contains("uproc[")) {
                throw new AssertionError("a line in the journal format carries its own tag: " + line);
            }
        }
    }

    @Test
    @Order(4)
    void anEditedConffileSurvivesAReinstallAndLogrotateTakesItsFile() throws IOException {
        String edited = Files.readString(Deb.DEFAULTS);
        assertTrue(edited.startsWith("# edited by InstalledPackageIT"), edited);
        apt("install", "--reinstall", "-y", Deb.file().toString());
        assertEquals(edited, Files.readString(Deb.DEFAULTS), "the reinstall replaced the administrator's edit");
        ProcessResult rotate = ProcessResult.of(List.of("logrotate", "-d", Deb.LOGROTATE.toString()), PLAIN_ENVIRONMENT,
                Duration.ofSeconds(30));
        assertEquals(0, rotate.exitCode(), rotate.toString());
        assertFalse(rotate.err().contains("error"), rotate.toString());
    }

    @Test
    @Order(5)
    void purgeStopsADaemonAndLeavesNoFileMountOrProcess() throws Exception {
        Path mountPoint = work.resolve("by-hand");
        Files.createDirectory(mountPoint);
        mounts.add(mountPoint);
        // An administrator's daemon started by hand, in the background, from the installed files.
        ProcessResult start = uproc("-o", "config_file=" + config, mountPoint.toString());
        assertEquals(0, start.exitCode(), start.toString());
        assertTrue(mounted(mountPoint), start.toString());
        List<ProcessHandle> daemons = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(mountPoint.toString())).orElse(false))
                .toList();
        assertEquals(1, daemons.size(), "daemons on " + mountPoint + ": " + daemons);

        apt("purge", "-y", Deb.NAME);

        assertFalse(installed(), "still installed after the purge");
        assertFalse(running(daemons.get(0).pid()), "the daemon outlived the purge of its package");
        assertFalse(mounted(mountPoint), mountPoint + " still mounted after the purge");
        List<String> left = new ArrayList<>();
        for (String path : installedFiles) {
            if (Files.exists(Path.of(path))) {
                left.add(path);
            }
        }
        for (String path : List.of("/var/cache/uprocfs", "/var/log/uproc.log",
                "/etc/systemd/system/multi-user.target.wants/uprocfs.service",
                "/var/lib/systemd/deb-systemd-helper-enabled/uprocfs.service.dsh-also",
                "/var/lib/systemd/deb-systemd-helper-masked/uprocfs.service")) {
            if (Files.exists(Path.of(path))) {
                left.add(path);
            }
        }
        assertEquals(List.of(), left, "left behind by the purge");
    }

    /** /usr/bin/uproc with {@code args}, as root from a shell with nothing of the build's. */
    private static ProcessResult uproc(String... args) {
        List<String> command = new ArrayList<>(List.of(Deb.UPROC.toString()));
        command.addAll(List.of(args));
        return ProcessResult.of(command, PLAIN_ENVIRONMENT, START);
    }

    private static void apt(String... args) {
        List<String> command = new ArrayList<>(List.of("apt-get", "-q"));
        command.addAll(List.of(args));
        ProcessResult r = ProcessResult.of(command, APT_ENVIRONMENT, Duration.ofMinutes(5));
        assertEquals(0, r.exitCode(), () -> String.join(" ", command) + ": " + r);
    }

    private static boolean installed() {
        ProcessResult r = ProcessResult.of("dpkg-query", "-W", "-f", "${Status}", Deb.NAME);
        return r.exitCode() == 0 && r.out().equals("install ok installed");
    }

    /** Whether {@code pid} runs: exists and is no zombie (one whose parent has not reaped it has exited). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    private static final Pattern SPACE = Pattern.compile(" ");

    /** Whether {@code path} is a mount point, from the mount table (no stat that could hang on a dead mount). */
    private static boolean mounted(Path path) {
        return mountInfo().stream().anyMatch(f -> f[4].equals(path.toString()));
    }

    private static int fuseMounts() {
        return (int) mountInfo().stream().filter(f -> String.join(" ", f).contains(" - fuse.uproc ")).count();
    }

    private static List<String[]> mountInfo() {
        try {
            List<String[]> entries = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                entries.add(SPACE.split(line));
            }
            return entries;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
