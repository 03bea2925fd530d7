package uprocfs.fuse.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import uprocfs.core.proc.MountTable;
import uprocfs.core.proc.ProcFs;
import uprocfs.fuse.fs.HidePid;

/**
 * The hidepid options of the /proc mount, as the filesystem asks for them on requests of
 * unprivileged users: read from mountinfo at most once per {@link #REFRESH}, so that a
 * {@code mount -o remount,hidepid=...} is honoured within seconds without a read of
 * mountinfo per request.
 *
 * <p>When the options cannot be known (mountinfo unreadable, nothing mounted at /proc), the
 * answer is {@code hidepid=invisible}: a user then sees only their own processes, which can
 * be too little but never more than /proc shows them. That is logged once. A change of the
 * options, and hiding at startup, are logged too.
 */
final class ProcMountOptions implements Supplier<HidePid> {
    /** How long an answer is kept. */
    static final Duration REFRESH = Duration.ofSeconds(2);
    private static final HidePid UNKNOWN = new HidePid(HidePid.INVISIBLE, HidePid.NO_GID);

    /** One answer and when it was read. */
    private record Reading(HidePid options, long nanos) {
    }

    private final ProcFs proc;
    private final DaemonLog log;
    private final LongSupplier clock;
    private volatile Reading last;
    /** Whether the last reading failed: a failure is logged once, not every {@link #REFRESH}. */
    private boolean failing;
    /** The options last logged; a /proc without hidepid goes without saying. */
    private HidePid logged = HidePid.NONE;

    /** The options of the /proc this process sees. */
    ProcMountOptions(DaemonLog log) {
        this(ProcFs.system(), log, System::nanoTime);
    }

    /**
     * @param proc  where this process's mount table is read from
     * @param clock nanoseconds, as {@link System#nanoTime()}
     */
    ProcMountOptions(ProcFs proc, DaemonLog log, LongSupplier clock) {
        this.proc = proc;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public HidePid get() {
        Reading r = last;
        if (r != null && clock.getAsLong() - r.nanos() < REFRESH.toNanos()) {
            return r.options();
        }
        return reread();
    }

    /** Reads mountinfo again, unless another thread just did while this one waited. */
    private synchronized HidePid reread() {
        long now = clock.getAsLong();
        Reading r = last;
        if (r != null && now - r.nanos() < REFRESH.toNanos()) {
            return r.options();
        }
        HidePid options = read();
        if (options == null) {
            options = UNKNOWN;
        } else if (!options.equals(logged)) {
            logged = options;
            log.info("/proc is mounted with " + options + ": " + (options.hidesOtherUsersProcesses()
                    ? "users other than root" + (options.hasGid() ? ", except members of group " + options.gid() + ","
                        : "") + " see only their own processes in the files"
                    : "every user sees every process of the files they may see"));
        }
        last = new Reading(options, now);
        return options;
    }

    /** The options of the mount at /proc, or {@code null} (logged) when they cannot be known. */
    private HidePid read() {
        String problem;
        try {
            MountTable.Mount mount = proc.mountTable().at(ProcFs.MOUNT_POINT);
            if (mount != null && mount.fsType().equals("proc")) {
                failing = false;
                return HidePid.parse(mount.superOptions());
            }
            problem = mount == null ? "nothing is mounted at /proc in " + proc.mountInfoFile()
                    : "/proc is a " + mount.fsType() + " mount, not proc, in " + proc.mountInfoFile();
        } catch (IOException e) {
            problem = "cannot read " + proc.mountInfoFile() + ": " + SystemError.describe(e);
        }
        if (!failing) {
            failing = true;
            log.error(problem + "; until /proc's hidepid option can be read, users other than root see only their "
                    + "own processes in the files");
        }
        return null;
    }
}
