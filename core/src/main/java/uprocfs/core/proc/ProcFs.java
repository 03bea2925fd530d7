package uprocfs.core.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import uprocfs.core.task.TaskInfo;

/**
 * Every read of {@code /proc} the daemon makes goes through here: one process's status, and
 * the scan of all processes. The root is a parameter so tests can point it at captured text.
 *
 * <p>Processes come and go while we read: a file that vanishes (ENOENT) or a process that
 * has just died (ESRCH on read) means "not there", never an error.
 */
public final class ProcFs {
    /** A status file is about 1.5 KiB; 4 KiB leaves room for long group lists before Uid/Gid. */
    private static final int STATUS_READ_BYTES = 4096;

    private static final ProcFs SYSTEM = new ProcFs(Path.of("/proc"));

    private final Path root;

    public ProcFs(Path root) {
        this.root = root;
    }

    /** The real {@code /proc}. */
    public static ProcFs system() {
        return SYSTEM;
    }

    public Path root() {
        return root;
    }

    /**
     * Reads one process's identity from {@code <root>/<pid>/status}.
     *
     * @return the process, or {@code null} when it does not exist (any more) or {@code pid}
     *         is a thread id rather than a process id
     */
    public TaskInfo readTask(int pid) {
        return readTask(pid, ByteBuffer.allocate(STATUS_READ_BYTES));
    }

    private TaskInfo readTask(int pid, ByteBuffer buf) {
        if (pid <= 0) {
            return null;
        }
        Path status = root.resolve(Integer.toString(pid)).resolve("status");
        buf.clear();
        try (FileChannel ch = FileChannel.open(status, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // status is generated on read; keep reading until EOF or our bound
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        return ProcStatus.parse(pid, text);
    }

    /**
     * Lists every process: the numeric entries of the root (the kernel lists thread-group
     * leaders there, not threads) whose status could be read.
     */
    public List<TaskInfo> scan() {
        List<TaskInfo> tasks = new ArrayList<>(1024);
        ByteBuffer buf = ByteBuffer.allocate(STATUS_READ_BYTES);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                int pid = parsePid(entry.getFileName().toString());
                if (pid > 0) {
                    TaskInfo t = readTask(pid, buf);
                    if (t != null) {
                        tasks.add(t);
                    }
                }
            }
        } catch (IOException e) {
            throw new ProcScanException("cannot list " + root + ": " + e.getMessage()
                    + " (is procfs mounted there?)", e);
        }
        return tasks;
    }

    /** A positive decimal pid, or -1 for any other directory entry. */
    static int parsePid(String name) {
        int n = name.length();
        if (n == 0 || n > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > 0 && v <= Integer.MAX_VALUE ? (int) v : -1;
    }
}
