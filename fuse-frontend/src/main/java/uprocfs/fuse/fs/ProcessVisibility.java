package uprocfs.fuse.fs;

import java.nio.file.Path;
import java.util.function.Supplier;
import uprocfs.core.proc.ProcFs;

/**
 * Which processes a caller may see, as /proc decides it: all of them, unless /proc is
 * mounted with {@code hidepid=invisible} or {@code ptraceable} ({@link HidePid}) and the
 * caller is neither root nor a member of the mount's {@code gid=} group; then only the
 * processes running with the caller's own uid.
 *
 * <p>The kernel checks the group with in_group_p(): the caller's fsgid or any of its
 * supplementary groups. A FUSE request carries the fsgid but not the supplementary groups,
 * so those are read from the caller's {@code /proc/<pid>/status} (its {@code Groups:} line),
 * and only when a {@code gid=} option makes them matter.
 */
public final class ProcessVisibility {
    private final Supplier<HidePid> procOptions;
    private final ProcFs proc;

    /**
     * @param procOptions /proc's hidepid options as they are now; asked on requests of
     *                    unprivileged callers, so it must answer without re-reading each time
     * @param procRoot    where callers' status files are read from ({@code /proc})
     */
    public ProcessVisibility(Supplier<HidePid> procOptions, Path procRoot) {
        this.procOptions = procOptions;
        this.proc = new ProcFs(procRoot);
    }

    /** Everyone sees every process: a /proc without hidepid. */
    public static ProcessVisibility everything() {
        return new ProcessVisibility(() -> HidePid.NONE, ProcFs.system().root());
    }

    /** Whether /proc shows {@code who} only the processes of its own uid. */
    public boolean seesOnlyOwnProcesses(Caller who) {
        if (who.isRoot()) {
            return false;
        }
        HidePid hidePid = procOptions.get();
        if (!hidePid.hidesOtherUsersProcesses()) {
            return false;
        }
        if (!hidePid.hasGid()) {
            return true;
        }
        if (who.gid() == hidePid.gid()) {
            return false;
        }
        // A caller that has gone has no groups known, and sees no more than its own processes.
        for (long group : proc.groups(who.pid())) {
            if (group == hidePid.gid()) {
                return false;
            }
        }
        return true;
    }
}
