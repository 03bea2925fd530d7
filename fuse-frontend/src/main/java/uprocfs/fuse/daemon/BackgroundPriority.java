package uprocfs.fuse.daemon;

import java.io.IOException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import uprocfs.core.proc.ProcFs;

/**
 * Lowers the priority of the audit's thread, whose walk of {@code /proc} is routine, to nice
 * {@link #NICE}, so that a walk of 10,000 processes, some hundreds of milliseconds of CPU,
 * yields to the machine's own work and to the event loop. (The resync's walk is not routine:
 * the files are known wrong until it ends, so it keeps the daemon's priority.) Linux keeps
 * a nice value per thread: setpriority(PRIO_PROCESS, TID, ...) changes only that thread
 * (setpriority(2), NOTES); raising it needs no privilege.
 */
final class BackgroundPriority {
    /** The nice value of background threads: below every default-priority thread, not starved. */
    static final int NICE = 10;
    private static final int PRIO_PROCESS = 0;

    /** The libc function this needs, bound through JNR-FFI. */
    public interface LibC {
        @SaveError
        int setpriority(int which, int who, int prio);
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private BackgroundPriority() {
    }

    /**
     * Lowers the calling thread's priority; says in the log why it could not (the thread then
     * runs at the daemon's priority, which is correct, only less kind to the machine).
     */
    static void lowerThisThread(DaemonLog log) {
        try {
            int tid = ProcFs.system().currentThreadId();
            if (Native.LIBC.setpriority(PRIO_PROCESS, tid, NICE) != 0) {
                log.error("cannot lower the priority of " + Thread.currentThread().getName() + ": setpriority: errno "
                        + Native.RUNTIME.getLastError() + "; it runs at the daemon's priority");
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            log.error("cannot lower the priority of " + Thread.currentThread().getName() + ": " + Daemon.describe(e)
                    + "; it runs at the daemon's priority");
        }
    }
}
