package uprocfs.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import uprocfs.core.proc.ProcFs;

/** A directory laid out like /proc, holding status files the test writes. */
public final class FakeProc implements AutoCloseable {
    final Path root;
    public final ProcFs procFs;

    public FakeProc() {
        try {
            root = Files.createTempDirectory("fakeproc");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        procFs = new ProcFs(root);
    }

    public FakeProc process(int pid, int ppid, int euid, int egid, String name) {
        return process(pid, ppid, euid, egid, name, "S (sleeping)", 1);
    }

    /** A process whose leader has exited while {@code threads - 1} other threads run on. */
    public FakeProc zombieLeader(int pid, int ppid, int euid, int egid, String name, int threads) {
        return process(pid, ppid, euid, egid, name, "Z (zombie)", threads);
    }

    public FakeProc process(int pid, int ppid, int euid, int egid, String name, String state, int threads) {
        String status = "Name:\t" + name + "\n"
                + "Umask:\t0022\nState:\t" + state + "\n"
                + "Tgid:\t" + pid + "\nNgid:\t0\nPid:\t" + pid + "\nPPid:\t" + ppid + "\n"
                + "TracerPid:\t0\n"
                + "Uid:\t" + (euid + 1) + "\t" + Integer.toUnsignedString(euid) + "\t" + euid + "\t" + euid + "\n"
                + "Gid:\t" + (egid + 1) + "\t" + Integer.toUnsignedString(egid) + "\t" + egid + "\t" + egid + "\n"
                + "FDSize:\t64\nGroups:\t\nThreads:\t" + threads + "\n";
        try {
            Path dir = Files.createDirectories(root.resolve(Integer.toString(pid)));
            Files.write(dir.resolve("status"), status.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public FakeProc gone(int pid) {
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
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
