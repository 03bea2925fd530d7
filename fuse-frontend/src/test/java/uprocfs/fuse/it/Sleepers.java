package uprocfs.fuse.it;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Processes that sit still under a chosen uid and gid, started with
 * {@code setpriv --reuid=U --regid=G --clear-groups PROGRAM 1000} (setpriv execs the
 * program, so the PID is the sleeper's), and all killed, by PID, on {@link #close()}.
 */
public final class Sleepers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    /** Starts {@code count} copies of {@code program} (e.g. {@code sleep}) as {@code uid}:{@code gid}. */
    public List<Integer> start(int count, int uid, int gid, String program) {
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                        program, "1000")
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                processes.add(p);
                pids.add((int) p.pid());
            } catch (IOException e) {
                throw new AssertionError("cannot start " + program + " as " + uid + ":" + gid, e);
            }
        }
        return pids;
    }

    /** Kills every sleeper started so far and waits until each is gone (and reaped). */
    public void killAll() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        processes.clear();
    }

    @Override
    public void close() {
        killAll();
    }
}
