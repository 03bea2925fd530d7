package uprocfs.fuse.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;
import uprocfs.core.engine.EngineView;
import uprocfs.core.engine.Namespace;
import uprocfs.core.rule.RuleSpec;

/**
 * The filesystem: a read-only root directory with one regular file per namespace, each file
 * listing the namespace's PIDs, and {@value #STATUS_NAME}, the daemon's counters. Every
 * callback runs on one of libfuse's worker threads and only reads the engine.
 *
 * <p>What the kernel may ask and what we answer:
 * <ul>
 * <li>Paths come from the kernel one component at a time but are still untrusted text: only
 * {@code /} and {@code /<name>} exist; anything else, and any name this caller may not see,
 * is ENOENT, on every operation, so a hidden namespace cannot be probed by stat or open.</li>
 * <li>{@code open} for writing is EACCES (as the original); every other change is EROFS.</li>
 * <li>{@code open} takes the namespace's content snapshot into a handle, {@code read} serves
 * it at the requested offset, {@code release} drops it. The mount uses {@code direct_io}, so
 * the page cache never holds an older list and {@code st_size} need not predict the read.</li>
 * <li>Where /proc hides other users' processes ({@link HidePid}), an unprivileged caller
 * reads in every file only the PIDs /proc shows it, and {@code st_size} is the size of
 * that.</li>
 * <li>{@value #STATUS_NAME} is readable by everyone (it names no process); its dot keeps it
 * out of {@code *}, and no namespace can take its name, since names may not start with a
 * dot.</li>
 * </ul>
 */
public final class UprocFs extends FuseStubFS {
    /** File system name passed to libfuse as argv[0]: shown in mount tables and messages. */
    public static final String FS_NAME = "uprocfs";
    /** The daemon's counters, at the root of the mount. */
    public static final String STATUS_NAME = ".status";
    private static final String STATUS_PATH = "/" + STATUS_NAME;

    // <asm-generic/fcntl.h>: the access mode is the low two bits; O_TRUNC and O_APPEND are
    // write intents even with O_RDONLY.
    private static final int O_ACCMODE = 0x3;
    private static final int O_RDONLY = 0x0;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;

    // <unistd.h> access(2) mask bits.
    private static final int W_OK = 2;
    private static final int X_OK = 1;

    private static final int DIR_MODE = FileStat.S_IFDIR | 0555;
    private static final int FILE_MODE = FileStat.S_IFREG | 0444;
    private static final int BLOCK_SIZE = 4096;
    /** Longest name a namespace may have (config rule), and NAME_MAX of every Linux fs. */
    private static final int NAME_MAX = 255;

    private static final int ENOENT = ErrorCodes.ENOENT();
    private static final int EACCES = ErrorCodes.EACCES();
    private static final int EROFS = ErrorCodes.EROFS();
    private static final int EBADF = ErrorCodes.EBADF();
    private static final int EINVAL = ErrorCodes.EINVAL();
    private static final int EISDIR = ErrorCodes.EISDIR();
    private static final int ENOTDIR = ErrorCodes.ENOTDIR();

    private final EngineView engine;
    private final Supplier<byte[]> status;
    private final ProcessVisibility visibility;
    private final Supplier<Caller> caller;
    private final HandleTable handles = new HandleTable();

    /**
     * A filesystem over {@code engine} whose callers are those of the FUSE requests.
     *
     * @param status     renders the content of {@value #STATUS_NAME}, now
     * @param visibility which processes /proc lets each caller see
     */
    public UprocFs(EngineView engine, Supplier<byte[]> status, ProcessVisibility visibility) {
        this.engine = engine;
        this.status = status;
        this.visibility = visibility;
        this.caller = this::requestCaller;
    }

    /** A filesystem whose callers are whoever {@code caller} says: for tests without a mount. */
    UprocFs(EngineView engine, Supplier<byte[]> status, ProcessVisibility visibility, Supplier<Caller> caller) {
        this.engine = engine;
        this.status = status;
        this.visibility = visibility;
        this.caller = caller;
    }

    @Override
    protected String getFSName() {
        return FS_NAME;
    }

    /**
     * Tells jnr-fuse the filesystem has been unmounted by other means (the daemon's own
     * unmount), so that the shutdown hook it registered at mount time does not unmount
     * lazily whatever is mounted at that path later.
     */
    public void unmounted() {
        mounted.set(false);
    }

    /** Number of files open right now. */
    public int openFiles() {
        return handles.openCount();
    }

    // ------------------------------------------------------------------ lookups

    private Caller requestCaller() {
        FuseContext context = getContext();
        return new Caller(context.uid.get(), context.gid.get(), context.pid.get());
    }

    /**
     * The name a path gives, or {@code null} when the path is not exactly {@code /<name>}:
     * empty names, further slashes and NUL bytes never name a namespace.
     */
    static String fileName(String path) {
        if (path == null || path.length() < 2 || path.charAt(0) != '/') {
            return null;
        }
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/' || c == '\0') {
                return null;
            }
        }
        return path.substring(1);
    }

    private static boolean isRoot(String path) {
        return "/".equals(path);
    }

    private static boolean isStatus(String path) {
        return STATUS_PATH.equals(path);
    }

    /** The namespace {@code path} names if {@code who} may see it, else {@code null}. */
    private Namespace visible(String path, Caller who) {
        String name = fileName(path);
        if (name == null) {
            return null;
        }
        Namespace ns = engine.namespace(name);
        return ns != null && who.maySee(ns.rule()) ? ns : null;
    }

    /**
     * Whether {@code who} reads less of {@code ns} than its whole list: /proc hides other
     * users' processes from them, and the namespace may hold some. A namespace of the
     * caller's own uid holds none, which keeps the common case (a user reading their own
     * file) at the cost of the whole list.
     */
    private boolean filtered(Namespace ns, Caller who) {
        RuleSpec rule = ns.rule();
        if (rule.hasUid() && rule.uid() == who.uid()) {
            return false;
        }
        return visibility.seesOnlyOwnProcesses(who);
    }

    /** The part of {@code ns} a caller from whom /proc hides other users' processes sees. */
    private byte[] ownProcesses(Namespace ns, Caller who) {
        // Task tables keep a uid as its 32-bit pattern.
        return Namespace.render(engine.ownedBy(ns.pids(), (int) who.uid()));
    }

    // ------------------------------------------------------------------ reading

    @Override
    public int getattr(String path, FileStat stat) {
        if (isRoot(path)) {
            long loaded = engine.rules().loadedAt().toEpochMilli();
            stat.st_mode.set(DIR_MODE);
            // No subdirectories: "." and the entry in the parent.
            stat.st_nlink.set(2);
            stat.st_uid.set(0);
            stat.st_gid.set(0);
            stat.st_size.set(0);
            stat.st_blksize.set(BLOCK_SIZE);
            stat.st_blocks.set(0);
            setTimes(stat, loaded);
            return 0;
        }
        if (isStatus(path)) {
            // Rendered now, like the read that follows: counters have no time of last change.
            setFile(stat, status.get().length, System.currentTimeMillis());
            return 0;
        }
        Caller who = caller.get();
        Namespace ns = visible(path, who);
        if (ns == null) {
            return -ENOENT;
        }
        // A filtered size is rendered, so that it is what this caller's read returns.
        long size = filtered(ns, who) ? ownProcesses(ns, who).length : ns.byteSize();
        setFile(stat, size, ns.mtimeMillis());
        return 0;
    }

    private static void setFile(FileStat stat, long size, long mtimeMillis) {
        stat.st_mode.set(FILE_MODE);
        stat.st_nlink.set(1);
        stat.st_uid.set(0);
        stat.st_gid.set(0);
        stat.st_size.set(size);
        stat.st_blksize.set(BLOCK_SIZE);
        // st_blocks counts 512-byte units, so that du reports what cat reads.
        stat.st_blocks.set((size + 511) / 512);
        setTimes(stat, mtimeMillis);
    }

    private static void setTimes(FileStat stat, long millis) {
        set(stat.st_mtim, millis);
        set(stat.st_ctim, millis);
        set(stat.st_atim, millis);
    }

    private static void set(Timespec t, long millis) {
        t.tv_sec.set(Math.floorDiv(millis, 1000));
        t.tv_nsec.set(Math.floorMod(millis, 1000) * 1_000_000L);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, long offset, FuseFileInfo fi) {
        if (!isRoot(path)) {
            return isStatus(path) || visible(path, caller.get()) != null ? -ENOTDIR : -ENOENT;
        }
        Caller who = caller.get();
        // Offset 0 to the filler: libfuse then reads the whole directory in this one call
        // (fuse.h, readdir, first mode), so a reload between two getdents calls cannot make
        // a listing skip or repeat names.
        fill(filter, buf, ".");
        fill(filter, buf, "..");
        fill(filter, buf, STATUS_NAME);
        for (Namespace ns : engine.namespaces()) {
            if (who.maySee(ns.rule()) && fill(filter, buf, ns.name()) != 0) {
                break;
            }
        }
        return 0;
    }

    /**
     * Adds one entry. Not jnr-fuse's String overload: it passes the name in the platform
     * charset and without the NUL that fuse_fill_dir_t reads up to.
     */
    private static int fill(FuseFillDir filter, Pointer buf, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return filter.apply(buf, ByteBuffer.wrap(Arrays.copyOf(utf8, utf8.length + 1)), null, 0);
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if (isRoot(path)) {
            return -EISDIR;
        }
        if (isStatus(path)) {
            if (writeIntent(fi)) {
                return -EACCES;
            }
            fi.fh.set(handles.open(status.get(), null));
            return 0;
        }
        Caller who = caller.get();
        Namespace ns = visible(path, who);
        if (ns == null) {
            return -ENOENT;
        }
        if (writeIntent(fi)) {
            return -EACCES;
        }
        fi.fh.set(handles.open(filtered(ns, who) ? ownProcesses(ns, who) : ns.content(), ns.rule()));
        return 0;
    }

    private static boolean writeIntent(FuseFileInfo fi) {
        int flags = fi.flags.get();
        return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_APPEND)) != 0;
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        HandleTable.Handle handle = handles.get(fi.fh.get());
        if (handle == null) {
            return -EBADF;
        }
        // The rule the file was opened under decides, not the current configuration: a
        // descriptor passed to another process must not show it what it could not open.
        // The status file has no rule: everyone may read it.
        if (handle.rule() != null && !caller.get().maySee(handle.rule())) {
            return -ENOENT;
        }
        if (offset < 0 || size < 0) {
            return -EINVAL;
        }
        byte[] content = handle.content();
        if (offset >= content.length) {
            return 0;
        }
        int n = (int) Math.min(size, content.length - offset);
        buf.put(0, content, (int) offset, n);
        return n;
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        handles.release(fi.fh.get());
        return 0;
    }

    @Override
    public int access(String path, int mask) {
        if (!isRoot(path) && !isStatus(path) && visible(path, caller.get()) == null) {
            return -ENOENT;
        }
        if ((mask & W_OK) != 0) {
            return -EROFS;
        }
        // Files are 0444; only the directory may be searched.
        if ((mask & X_OK) != 0 && !isRoot(path)) {
            return -EACCES;
        }
        return 0;
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        stbuf.f_bsize.set(BLOCK_SIZE);
        stbuf.f_frsize.set(BLOCK_SIZE);
        // No blocks: df lists it only with -a, like /proc.
        stbuf.f_blocks.set(0);
        stbuf.f_bfree.set(0);
        stbuf.f_bavail.set(0);
        stbuf.f_files.set(engine.namespaces().size());
        stbuf.f_ffree.set(0);
        stbuf.f_favail.set(0);
        stbuf.f_namemax.set(NAME_MAX);
        return 0;
    }

    // ------------------------------------------------------------------ refusing changes

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return -EROFS;
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return -EROFS;
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return -EROFS;
    }

    @Override
    public int mkdir(String path, long mode) {
        return -EROFS;
    }

    @Override
    public int unlink(String path) {
        return -EROFS;
    }

    @Override
    public int rmdir(String path) {
        return -EROFS;
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -EROFS;
    }

    @Override
    public int link(String oldpath, String newpath) {
        return -EROFS;
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return -EROFS;
    }

    @Override
    public int truncate(String path, long size) {
        return -EROFS;
    }

    @Override
    public int chmod(String path, long mode) {
        return -EROFS;
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return -EROFS;
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return -EROFS;
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return -EROFS;
    }

    @Override
    public int removexattr(String path, String name) {
        return -EROFS;
    }
}
