package uprocfs.fuse.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the files should say, read straight from /proc the slow way, as pgrep would: never
 * from the engine under test. The numeric entries of /proc are processes (thread-group
 * leaders), and the second column of Uid:/Gid: in their status is the effective id.
 */
public final class GroundTruth {
    /** One process as /proc/PID/status shows it. */
    public record Status(int pid, String name, long euid, long egid) {
    }

    private GroundTruth() {
    }

    /** The PIDs, ascending, of the processes that {@code matches} accepts right now. */
    public static List<Integer> pids(Predicate<Status> matches) {
        List<Integer> pids = new ArrayList<>();
        for (Status s : scan()) {
            if (matches.test(s)) {
                pids.add(s.pid());
            }
        }
        pids.sort(null);
        return pids;
    }

    public static List<Status> scan() {
        return scan(false);
    }

    /**
     * Like {@link #pids}, but a process whose leader thread has exited while its other threads
     * run on (pthread_exit in main: State Z, Threads above 1) counts, since it still runs: only
     * a zombie with one thread has exited. This is what the daemon lists, from a process's
     * first event to the EXIT event of its last thread, which precedes the reaping.
     */
    public static List<Integer> runningPids(Predicate<Status> matches) {
        List<Integer> pids = new ArrayList<>();
        for (Status s : scanRunning()) {
            if (matches.test(s)) {
                pids.add(s.pid());
            }
        }
        pids.sort(null);
        return pids;
    }

    /** Every running process, a process whose leader exited while other threads run included. */
    public static List<Status> scanRunning() {
        return scan(true);
    }

    private static List<Status> scan(boolean leaderlessRuns) {
        List<Status> all = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : entries) {
                Status s = read(Integer.parseInt(dir.getFileName().toString()), dir.resolve("status"),
                        leaderlessRuns);
                if (s != null) {
                    all.add(s);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return all;
    }

    private static Status read(int pid, Path status, boolean leaderlessRuns) {
        String name = null;
        long euid = -1;
        long egid = -1;
        boolean zombie = false;
        boolean otherThreads = false;
        try {
            for (String line : new String(Files.readAllBytes(status), StandardCharsets.ISO_8859_1).split("\n")) {
                if (line.startsWith("Name:")) {
                    name = line.substring(5).strip();
                } else if (line.startsWith("State:")) {
                    zombie = line.contains("Z (zombie)") || line.contains("X (dead)");
                } else if (line.startsWith("Uid:")) {
                    euid = Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                } else if (line.startsWith("Gid:")) {
                    egid = Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                } else if (line.startsWith("Threads:")) {
                    otherThreads = Long.parseLong(line.substring(8).strip()) > 1;
                }
            }
        } catch (IOException e) {
            // The process ended while we looked: it is not there.
            return null;
        }
        // A zombie has exited: the kernel sent its EXIT event already, so no file lists it;
        // unless only its leader thread did, and the caller counts such a process as running.
        boolean exited = zombie && !(leaderlessRuns && otherThreads);
        return exited || name == null ? null : new Status(pid, name, euid, egid);
    }
}
