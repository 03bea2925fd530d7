package uprocfs.fuse.it;

import uprocfs.testing.ProcessResult;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.testing.Deadline;

/**
 * The mounted filesystem against the real kernel: files compared with /proc as read by the
 * test itself, the refusals as a shell meets them, and who sees what.
 */
@Tag("root")
class FilesystemTest extends MountedDaemonTest {

    private void mountWithConfig(String config, String... args) {
        scratch.config(config);
        mount(args);
    }

    private Path file(String name) {
        return scratch.mnt.resolve(name);
    }

    /** The file's PIDs, checking the format on the way: ascending, one per line, newline-terminated. */
    private static List<Integer> pidsIn(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
        return parse(new String(content, StandardCharsets.US_ASCII), file);
    }

    private static List<Integer> parse(String text, Path file) {
        List<Integer> pids = new ArrayList<>();
        if (text.isEmpty()) {
            return pids;
        }
        assertTrue(text.endsWith("\n"), file + " ends with a newline: [" + text + "]");
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            int pid = Integer.parseInt(line);
            assertTrue(pids.isEmpty() || pids.get(pids.size() - 1) < pid, file + " is ascending: " + text);
            pids.add(pid);
        }
        return pids;
    }

    /** Waits until {@code name} lists exactly the processes /proc says match. */
    private void awaitMatchesProc(String name, Predicate<GroundTruth.Status> rule, List<Integer> mustContain) {
        Deadline.await(name + " lists what /proc says", () -> {
            List<Integer> truth = GroundTruth.pids(rule);
            if (!truth.containsAll(mustContain)) {
                return "/proc does not show all started processes yet: " + truth;
            }
            List<Integer> listed = pidsIn(file(name));
            return listed.equals(truth) ? null : "file " + listed + ", /proc " + truth;
        });
    }

    private static Predicate<GroundTruth.Status> euid(long uid) {
        return s -> s.euid() == uid;
    }

    private static Predicate<GroundTruth.Status> egid(long gid) {
        return s -> s.egid() == gid;
    }

    private static Predicate<GroundTruth.Status> named(String name) {
        return s -> s.name().equals(name);
    }

    @Test
    void uidNamespaceListsExactlyTheProcessesOfItsUid() throws IOException {
        mountWithConfig("uid 60101 u60101\n");
        List<Integer> started = sleepers.start(50, 60101, 60101, "sleep");
        awaitMatchesProc("u60101", euid(60101), started);
        assertTrue(pidsIn(file("u60101")).containsAll(started));

        Deadline.await("stat -c %s equals the bytes read", () -> {
            try {
                long size = Files.size(file("u60101"));
                byte[] content = Files.readAllBytes(file("u60101"));
                return size == content.length && content.length > 0 ? null : "size " + size + ", read " + content.length;
            } catch (IOException e) {
                return e.toString();
            }
        });

        sleepers.killAll();
        awaitMatchesProc("u60101", euid(60101), List.of());
        List<Integer> after = pidsIn(file("u60101"));
        for (int pid : started) {
            assertTrue(!after.contains(pid), "killed " + pid + " is gone from u60101");
        }
    }

    @Test
    void gidCmdAndCombinedRulesEachListTheirProcesses() {
        mountWithConfig(String.join("\n",
                "gid 60103 g60103",
                "cmd " + Scratch.NAPPER + " naps",
                "uid 60102 cmd " + Scratch.NAPPER + " u60102.naps",
                "uid 60102 gid 60103 u60102.g60103",
                ""));
        String napper = scratch.napper();
        List<Integer> plainSleep = sleepers.start(3, 60102, 60102, "sleep");
        List<Integer> napsInGroup = sleepers.start(4, 60102, 60103, napper);
        List<Integer> othersNaps = sleepers.start(5, 60104, 60103, napper);
        List<Integer> everyone = new ArrayList<>(plainSleep);
        everyone.addAll(napsInGroup);
        everyone.addAll(othersNaps);

        awaitMatchesProc("g60103", egid(60103), everyone.subList(plainSleep.size(), everyone.size()));
        awaitMatchesProc("naps", named(Scratch.NAPPER), napsInGroup);
        awaitMatchesProc("u60102.naps", euid(60102).and(named(Scratch.NAPPER)), napsInGroup);
        awaitMatchesProc("u60102.g60103", euid(60102).and(egid(60103)), napsInGroup);

        List<Integer> naps = pidsIn(file("naps"));
        assertTrue(naps.containsAll(napsInGroup) && naps.containsAll(othersNaps), "naps: " + naps);
        assertEquals(sorted(napsInGroup), pidsIn(file("u60102.naps")));
        assertEquals(sorted(napsInGroup), pidsIn(file("u60102.g60103")));
        for (int pid : plainSleep) {
            assertTrue(!pidsIn(file("g60103")).contains(pid), pid + " runs with gid 60102, not 60103");
        }
    }

    private static List<Integer> sorted(List<Integer> pids) {
        List<Integer> copy = new ArrayList<>(pids);
        copy.sort(null);
        return copy;
    }

    @Test
    void emptyNamespaceIsAnEmptyFile() throws IOException {
        // Single-threaded (-s) here: libfuse's other loop must give the same answers.
        mountWithConfig("uid 60109 nobody.here\n", "-s");
        assertTrue(Files.isRegularFile(file("nobody.here")));
        assertEquals(0, Files.size(file("nobody.here")));
        assertArrayEquals(new byte[0], Files.readAllBytes(file("nobody.here")));
        try (var names = Files.list(scratch.mnt)) {
            assertEquals(List.of(file(".status"), file("nobody.here")), names.sorted().toList());
        }
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file("nobody.here"))));
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch.mnt)));
    }

    @Test
    void writingIsEACCESAndEveryOtherChangeEROFS() throws IOException {
        mountWithConfig("uid 60108 u60108\n");
        sleepers.start(2, 60108, 60108, "sleep");
        Path ns = file("u60108");
        awaitMatchesProc("u60108", euid(60108), List.of());

        assertThrows(AccessDeniedException.class, () -> Files.newOutputStream(ns, StandardOpenOption.WRITE).close());
        assertThrows(AccessDeniedException.class, () -> Files.newOutputStream(ns, StandardOpenOption.APPEND).close());
        assertThrows(AccessDeniedException.class, () -> Files.newByteChannel(ns, StandardOpenOption.READ,
                StandardOpenOption.WRITE).close());
        assertReadOnlyFileSystem(() -> Files.newOutputStream(file("new"), StandardOpenOption.CREATE_NEW).close());
        assertReadOnlyFileSystem(() -> Files.createDirectory(file("dir")));
        assertReadOnlyFileSystem(() -> Files.delete(ns));
        assertReadOnlyFileSystem(() -> Files.move(ns, file("moved")));
        assertReadOnlyFileSystem(() -> Files.setPosixFilePermissions(ns, PosixFilePermissions.fromString("rw-rw-rw-")));
        assertReadOnlyFileSystem(() -> Files.setLastModifiedTime(ns, FileTime.fromMillis(0)));
        assertReadOnlyFileSystem(() -> Files.createSymbolicLink(file("link"), ns));

        assertShellFails("Permission denied", "echo 1 >> " + ns);
        assertShellFails("Permission denied", "echo 1 > " + ns);
        assertShellFails("Read-only file system", "touch " + file("new"));
        assertShellFails("Read-only file system", "mkdir " + file("dir"));
        assertShellFails("Read-only file system", "rm -f " + ns);

        awaitMatchesProc("u60108", euid(60108), List.of());
        try (var names = Files.list(scratch.mnt)) {
            assertEquals(List.of(file(".status"), ns), names.sorted().toList());
        }
    }

    private interface Change {
        void run() throws IOException;
    }

    private static void assertReadOnlyFileSystem(Change change) {
        FileSystemException e = assertThrows(FileSystemException.class, change::run);
        assertEquals("Read-only file system", e.getReason(), e.toString());
    }

    private static void assertShellFails(String reason, String script) {
        ProcessResult r = ProcessResult.of("sh", "-c", script);
        assertNotEquals(0, r.exitCode(), script);
        assertTrue(r.err().contains(reason), script + ": " + r.err());
    }

    @Test
    void aUserSeesAndReadsOnlyTheNamespacesOfTheirUidAndGid() throws IOException {
        mountWithConfig(String.join("\n",
                "uid 60105 u60105",
                "uid 60106 u60106",
                "gid 60106 g60106",
                "gid 60107 g60107",
                "cmd " + Scratch.NAPPER + " naps",
                ""), "-o", "allow_other");
        List<Integer> others = sleepers.start(2, 60105, 60105, "sleep");
        List<Integer> own = sleepers.start(2, 60106, 60106, "sleep");
        awaitMatchesProc("u60105", euid(60105), others);
        awaitMatchesProc("u60106", euid(60106), own);

        ProcessResult ls = asUser60106("ls", "-1", scratch.mnt.toString());
        assertEquals(0, ls.exitCode(), ls.err());
        assertEquals("g60106\nnaps\nu60106\n", ls.out());

        for (String hidden : new String[] {"u60105", "g60107"}) {
            ProcessResult cat = asUser60106("cat", file(hidden).toString());
            assertNotEquals(0, cat.exitCode());
            assertTrue(cat.err().contains("No such file or directory"), cat.err());
            ProcessResult stat = asUser60106("stat", file(hidden).toString());
            assertNotEquals(0, stat.exitCode());
            assertTrue(stat.err().contains("No such file or directory"), stat.err());
            // Root has read it, so the kernel knows the name; it must not tell the user so
            // ("Not a directory" would say that a file is there).
            ProcessResult inside = asUser60106("cat", file(hidden).resolve("x").toString());
            assertTrue(inside.err().contains("No such file or directory"), inside.err());
        }

        ProcessResult cat = asUser60106("cat", file("u60106").toString());
        assertEquals(0, cat.exitCode(), cat.err());
        assertTrue(parse(cat.out(), file("u60106")).containsAll(own), cat.out());

        try (var names = Files.list(scratch.mnt)) {
            assertEquals(5 + 1, names.count(), "root sees every namespace, and .status");
        }
        assertTrue(pidsIn(file("u60105")).containsAll(others));
        assertThrows(NoSuchFileException.class, () -> Files.size(file("missing")));
    }

    private static ProcessResult asUser60106(String... command) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=60106", "--regid=60106", "--clear-groups"));
        all.addAll(List.of(command));
        return ProcessResult.of(all.toArray(new String[0]));
    }
}
