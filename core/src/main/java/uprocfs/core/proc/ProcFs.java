package uprocfs.core.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import uprocfs.core.task.TaskInfo;

/**
 * Every read of {@code /proc} the daemon makes goes through here, as OSHI's {@code ProcPath}
 * has it: one process's status, the scan of all processes, a process's supplementary groups,
 * this process's effective uid and its mount table. The parsing is in {@link ProcStatus} and
 * {@link MountTable}, tested on captured text. The root is a parameter so tests can point it
 * at a tree of captured files.
 *
 * <p>Processes come and go while we read: a file that vanishes (ENOENT) or a process that
 * has just died (ESRCH on read) means "not there", never an error.
 */
public final class ProcFs {
    /** Where procfs is mounted: the root of {@link #system()}, and the mount point to look up. */
    public static final Path MOUNT_POINT = Path.of("/proc");

    private static final ProcFs SYSTEM = new ProcFs(MOUNT_POINT);

    /**
     * What a read takes beyond {@code status}: the executable ({@code exe} link) and the
     * command line ({@code cmdline}), each only when some rule in force asks for it.
     */
    public record Detail(boolean exe, boolean args) {
        public static final Detail NONE = new Detail(false, false);
    }

    /** How much of a command line is read: rules see its first 4 KiB. */
    public static final int ARGS_MAX_BYTES = 4096;

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
        return taskReader().read(pid);
    }

    /**
     * A reader for a thread that reads many processes, one after another (the event loop, a
     * scan): it keeps one buffer, so a read allocates only the process it returns.
     */
    public TaskReader taskReader() {
        return new TaskReader();
    }

    /** Reads processes with one buffer; for one thread. */
    public final class TaskReader {
        private final StatusBuffer buf = new StatusBuffer();

        private TaskReader() {
        }

        private final byte[] cmdline = new byte[ARGS_MAX_BYTES];

        /** As {@link ProcFs#readTask}. */
        public TaskInfo read(int pid) {
            return read(pid, Detail.NONE);
        }

        /** As {@link ProcFs#readTask}, with what {@code detail} asks for beyond the status. */
        public TaskInfo read(int pid, Detail detail) {
            if (pid <= 0) {
                return null;
            }
            String dir = Integer.toString(pid);
            CharSequence text = buf.read(status(dir));
            if (text == null) {
                return null;
            }
            TaskInfo t = ProcStatus.parse(pid, text);
            if (t == null || (!detail.exe() && !detail.args())) {
                return t;
            }
            return t.withDetail(detail.exe() ? exe(dir) : null, detail.args() ? args(dir) : null);
        }

        /** The exe link's target; {@code null} for a kernel thread (no executable) or a process gone. */
        private String exe(String dir) {
            try {
                return Files.readSymbolicLink(root.resolve(dir).resolve("exe")).toString();
            } catch (IOException e) {
                return null;
            }
        }

        /**
         * The command line's first {@value #ARGS_MAX_BYTES} bytes, arguments joined by single
         * spaces (the NULs between them), as UTF-8; "" for a kernel thread, {@code null} when
         * it cannot be read.
         */
        private String args(String dir) {
            try (java.io.InputStream in = Files.newInputStream(root.resolve(dir).resolve("cmdline"))) {
                int n = 0;
                while (n < cmdline.length) {
                    int r = in.read(cmdline, n, cmdline.length - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                int end = n;
                while (end > 0 && cmdline[end - 1] == 0) {
                    end--;
                }
                for (int i = 0; i < end; i++) {
                    if (cmdline[i] == 0) {
                        cmdline[i] = ' ';
                    }
                }
                return new String(cmdline, 0, end, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * The supplementary groups of a process (its status's {@code Groups:} line), or none when
     * it cannot be read (it has gone).
     */
    public long[] groups(long pid) {
        CharSequence text = new StatusBuffer().read(status(Long.toString(pid)));
        return text == null ? new long[0] : ProcStatus.groups(text);
    }

    /**
     * The effective uid of this process, from {@code <root>/self/status}: the "am I root"
     * question, answered without native code.
     *
     * @throws IOException when the file cannot be read or has no {@code Uid:} line
     */
    public long effectiveUid() throws IOException {
        Path self = status("self");
        long euid = ProcStatus.effectiveUid(Files.readString(self, StandardCharsets.ISO_8859_1));
        if (euid < 0) {
            throw new IOException(self + " has no Uid: line with an effective uid");
        }
        return euid;
    }

    /**
     * The calling thread's id (its TID), from the {@code <root>/thread-self} link
     * ({@code PID/task/TID}): Java has no call for it, and per-thread system calls
     * (setpriority) need it.
     */
    public int currentThreadId() throws IOException {
        Path link = Files.readSymbolicLink(root.resolve("thread-self"));
        int tid = parsePid(link.getFileName().toString());
        if (tid < 0) {
            throw new IOException(root.resolve("thread-self") + " points to " + link + ", not PID/task/TID");
        }
        return tid;
    }

    /** The file the mount table is read from, {@code <root>/self/mountinfo}, for messages. */
    public Path mountInfoFile() {
        return root.resolve("self").resolve("mountinfo");
    }

    /** The mounts of this process's mount namespace, now. */
    public MountTable mountTable() throws IOException {
        // Not readString: a mountpoint may be any bytes, and a strict decoder would throw.
        return MountTable.parse(new String(Files.readAllBytes(mountInfoFile()), StandardCharsets.UTF_8));
    }

    private Path status(String pid) {
        return root.resolve(pid).resolve("status");
    }

    /**
     * Lists every process: the numeric entries of the root (the kernel lists thread-group
     * leaders there, not threads) whose status could be read.
     */
    public List<TaskInfo> scan() {
        return scan(Detail.NONE);
    }

    /** As {@link #scan()}, each process read with {@code detail}. */
    public List<TaskInfo> scan(Detail detail) {
        List<TaskInfo> tasks = new ArrayList<>(1024);
        TaskReader reader = taskReader();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                int pid = parsePid(entry.getFileName().toString());
                if (pid > 0) {
                    TaskInfo t = reader.read(pid, detail);
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
