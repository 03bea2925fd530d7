package uprocfs.fuse;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import uprocfs.fuse.daemon.Daemon;
import uprocfs.fuse.daemon.DaemonLog;
import uprocfs.fuse.daemon.DaemonSettings;
import uprocfs.fuse.daemon.ReadinessChannel;
import uprocfs.fuse.daemon.SystemdNotifier;

/**
 * {@code uproc MOUNTPOINT} started by the launcher script (etc/bin/uproc), which puts this
 * JVM in a session of its own in the background and waits itself for the verdict: one JVM per
 * start instead of {@link BackgroundStart}'s two (a JVM cannot fork, so without the script a
 * second one is started for the daemon).
 *
 * <p>The script gives the write end of a FIFO only it reads as descriptor
 * {@value #ENVIRONMENT}, standard input from {@code /dev/null} and standard output and error
 * in a file of its own for what the JVM may say before this class runs. This JVM then says,
 * on that FIFO, where it logs ({@code log PATH}), and from then on speaks the
 * {@link ReadinessChannel} protocol: notes, then the verdict. Before the daemon starts it
 * points its standard output and error at the log file and leaves the working directory for
 * {@code /}, as the daemon of a background start has them. The descriptor is opened again
 * by its /proc path and the inherited one closed, so that the verdict, which closes the FIFO,
 * is also its end of file for the script; a JVM that dies ends it too.
 */
final class DetachedStart {
    /** The environment variable with the number of the descriptor the script reads. */
    static final String ENVIRONMENT = "UPROC_STARTER_FD";

    // <asm-generic/fcntl.h>
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int LOG_MODE = 0644;

    /** The libc functions this needs, bound through JNR-FFI. */
    public interface LibC {
        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int dup2(int from, int to);

        @SaveError
        int close(int fd);

        @SaveError
        int chdir(String path);
    }

    private DetachedStart() {
    }

    /**
     * Starts the daemon in this JVM and returns its exit code (once it stops), or a start
     * failure's; errors before the starter can be reached go to {@code err}.
     */
    static int run(DaemonSettings settings, String descriptor, DaemonLog err) {
        if (descriptor == null || !descriptor.matches("[0-9]{1,4}")) {
            err.error(ENVIRONMENT + "=" + descriptor + " is not a descriptor number: it is set by the uproc "
                    + "launcher for the daemon it starts; unset it");
            return ExitCode.USAGE;
        }
        int fd = Integer.parseInt(descriptor);
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        ReadinessChannel.DaemonEnd starter;
        try {
            starter = ReadinessChannel.DaemonEnd.over(FileChannel.open(Path.of("/proc/self/fd/" + fd),
                    StandardOpenOption.WRITE), "the uproc launcher");
        } catch (IOException | RuntimeException e) {
            err.error("cannot open descriptor " + fd + " of " + ENVIRONMENT + " (" + e.getMessage() + "): it is set "
                    + "by the uproc launcher for the daemon it starts; unset it");
            return ExitCode.USAGE;
        }
        libc.close(fd);
        try {
            starter.logAt(settings.logFile());
            try {
                detach(settings, libc);
            } catch (StartFailure refused) {
                starter.verdict(refused.exitCode(), refused.getMessage());
                return refused.exitCode();
            }
        } catch (IOException e) {
            err.error("the uproc launcher stopped listening (" + e.getMessage() + "); not starting");
            return ExitCode.FAILURE;
        }
        return new Daemon(settings, DaemonLog.forDaemon(System.err), starter, SystemdNotifier.fromEnvironment())
                .run();
    }

    /**
     * Points standard output and error at the log and leaves the working directory.
     *
     * @throws StartFailure why the daemon cannot start in the background
     */
    private static void detach(DaemonSettings settings, LibC libc) throws StartFailure {
        if (settings.configFromStandardInput()) {
            throw BackgroundStart.standardInputNeedsForeground();
        }
        // Root first: whoever else asks is told that, not that /var/log is closed to them.
        Daemon.requireRoot();
        Path log = settings.logFile();
        BackgroundStart.checkWritable(log);
        int fd = libc.open(log.toString(), O_WRONLY | O_CREAT | O_APPEND, LOG_MODE);
        if (fd < 0) {
            throw new StartFailure(ExitCode.USAGE, "cannot open the log file " + log + " (errno "
                    + Runtime.getRuntime(libc).getLastError() + "): choose another with -o log_file=FILE");
        }
        boolean redirected = libc.dup2(fd, 1) == 1 && libc.dup2(fd, 2) == 2;
        int errno = Runtime.getRuntime(libc).getLastError();
        libc.close(fd);
        if (!redirected) {
            throw new StartFailure(ExitCode.FAILURE, "cannot point the daemon's output at " + log + " (dup2: "
                    + "errno " + errno + ")");
        }
        // So that the daemon keeps no directory of the user's busy; every path it uses is absolute.
        libc.chdir("/");
    }
}
