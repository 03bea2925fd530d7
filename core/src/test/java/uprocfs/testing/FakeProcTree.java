package uprocfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory laid out like {@code /proc}, for code that takes its /proc root as a path:
 * one {@code PID/status} (and {@code stat}, {@code io}, {@code fd/}) per {@link FakeProcess}
 * added, as the kernel would show it. The
 * one fake /proc of the tests; {@link #close()} deletes the tree.
 *
 * <pre>{@code
 * try (FakeProcTree proc = new FakeProcTree()) {
 *     proc.add(FakeProcess.pid(100).euid(1000).egid(100).name("bash"))
 *         .add(FakeProcess.pid(101).ppid(100).euid(1000).name("vim"));
 *     ... new ProcFs(proc.root()) ...
 *     proc.remove(101);
 * }
 * }</pre>
 */
public final class FakeProcTree implements AutoCloseable {
    private final Path root;

    /** In a new temporary directory. */
    public FakeProcTree() {
        try {
            root = Files.createTempDirectory("fakeproc");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** In {@code root}, an existing directory (a JUnit {@code @TempDir}, say). */
    public FakeProcTree(Path root) {
        this.root = root;
    }

    /** What stands for {@code /proc}. */
    public Path root() {
        return root;
    }

    /** Writes the process's status file, replacing what its pid had: a fork, an exec or a setuid seen afterwards. */
    public FakeProcTree add(FakeProcess process) {
        try {
            Path dir = Files.createDirectories(root.resolve(Integer.toString(process.pid())));
            Files.writeString(dir.resolve("status"), process.statusText(), StandardCharsets.ISO_8859_1);
            Files.write(dir.resolve("cmdline"), process.cmdlineBytes());
            Files.writeString(dir.resolve("stat"), process.statText(), StandardCharsets.ISO_8859_1);
            Path io = dir.resolve("io");
            Files.deleteIfExists(io);
            if (process.ioText() != null) {
                Files.writeString(io, process.ioText(), StandardCharsets.ISO_8859_1);
            }
            Path fd = dir.resolve("fd");
            delete(fd);
            if (process.openFds() >= 0) {
                Files.createDirectory(fd);
                for (int i = 0; i < process.openFds(); i++) {
                    Files.createFile(fd.resolve(Integer.toString(i)));
                }
            }
            Path exe = dir.resolve("exe");
            Files.deleteIfExists(exe);
            if (process.exe() != null) {
                Files.createSymbolicLink(exe, Path.of(process.exe()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Writes {@code <root>/stat} with its {@code btime} line: when the machine booted, in
     * seconds since the epoch, which processes' start times count from.
     */
    public FakeProcTree bootTime(long epochSeconds) {
        try {
            Files.writeString(root.resolve("stat"), "cpu  128456 22 63489 1059652 2684 0 1904 0 0 0\n"
                    + "cpu0 64228 11 31744 529826 1342 0 952 0 0 0\nintr 1 0\nctxt 1000\nbtime " + epochSeconds
                    + "\nprocesses 2300\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
                    StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Removes one file of a process: it exited between two reads of its files, say. */
    public FakeProcTree removeFile(int pid, String name) {
        delete(root.resolve(Integer.toString(pid)).resolve(name));
        return this;
    }

    /** Removes the process's directory: it exited and was reaped. */
    public FakeProcTree remove(int pid) {
        delete(root.resolve(Integer.toString(pid)));
        return this;
    }

    @Override
    public void close() {
        delete(root);
    }

    private static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
