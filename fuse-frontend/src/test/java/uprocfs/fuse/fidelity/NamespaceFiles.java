package uprocfs.fuse.fidelity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import uprocfs.fuse.it.GroundTruth;
import uprocfs.testing.ProcessResult;
import uprocfs.testing.Deadline;

/**
 * The files of a mounted uprocfs, read the way a user reads them and compared with ground
 * truth the test reads from /proc itself, never with the daemon's view.
 *
 * <p>Ground truth counts what runs: a zombie with one thread has exited (its EXIT event came
 * before the reaping, so the daemon rightly dropped it), a zombie leader whose other threads
 * run on has not ({@link GroundTruth#runningPids}).
 */
final class NamespaceFiles {
    /** How many PIDs of a difference a failure message shows. */
    private static final int SHOWN = 12;

    private final Path mnt;

    NamespaceFiles(Path mnt) {
        this.mnt = mnt;
    }

    Path file(String name) {
        return mnt.resolve(name);
    }

    boolean exists(String name) {
        return Files.exists(file(name));
    }

    /** The PIDs of a file, checking its format: ascending, one per line, newline-terminated. */
    List<Integer> pids(String name) {
        String text;
        try {
            text = new String(Files.readAllBytes(file(name)), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file(name), e);
        }
        List<Integer> pids = new ArrayList<>();
        if (text.isEmpty()) {
            return pids;
        }
        if (!text.endsWith("\n")) {
            throw new AssertionError(name + " does not end with a newline: [" + text + "]");
        }
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            int pid = Integer.parseInt(line);
            if (!pids.isEmpty() && pids.get(pids.size() - 1) >= pid) {
                throw new AssertionError(name + " is not ascending at " + pid + ": [" + text + "]");
            }
            pids.add(pid);
        }
        return pids;
    }

    /**
     * What differs between the files of {@code rules} and /proc, or {@code null} when every
     * file lists exactly the running processes its rule matches. /proc is read before and
     * after the files, and must not have changed for the rule in between: a file is
     * compared only with a truth that held during the whole time it was read.
     */
    String mismatch(List<Rule> rules) {
        List<GroundTruth.Status> before = GroundTruth.scanRunning();
        List<List<Integer>> listed = new ArrayList<>();
        for (Rule r : rules) {
            listed.add(pids(r.name()));
        }
        List<GroundTruth.Status> after = GroundTruth.scanRunning();
        StringBuilder wrong = new StringBuilder();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            List<Integer> truth = matching(before, r);
            if (!truth.equals(matching(after, r))) {
                wrong.append("\n  ").append(r.name()).append(": /proc changed while the file was read");
            } else if (!truth.equals(listed.get(i))) {
                wrong.append("\n  ").append(r.name()).append(" (").append(r.line()).append("): ")
                        .append(difference(listed.get(i), truth));
            }
        }
        return wrong.length() == 0 ? null : wrong.toString();
    }

    /** The PIDs {@code pgrep -u uid} lists, ascending: the processes of that effective uid, by another reader of /proc. */
    static List<Integer> pgrep(int uid) {
        ProcessResult r = ProcessResult.of("pgrep", "-u", Integer.toString(uid));
        List<Integer> pids = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                pids.add(Integer.parseInt(line.strip()));
            }
        }
        pids.sort(null);
        return pids;
    }

    /** Waits until every file of {@code rules} equals /proc (see {@link #mismatch}). */
    void awaitTruth(String what, Duration limit, List<Rule> rules) {
        Deadline.await(what, limit, () -> mismatch(rules));
    }

    private static List<Integer> matching(List<GroundTruth.Status> processes, Rule rule) {
        List<Integer> pids = new ArrayList<>();
        for (GroundTruth.Status s : processes) {
            if (rule.matches(s)) {
                pids.add(s.pid());
            }
        }
        pids.sort(null);
        return pids;
    }

    /**
     * "file 2998, /proc 3001: missing [..], extra [..]", at most {@value #SHOWN} PIDs each,
     * each with what /proc says about it now, so that a failure shows what the daemon got wrong.
     */
    static String difference(List<Integer> listed, List<Integer> truth) {
        Set<Integer> missing = new TreeSet<>(truth);
        missing.removeAll(listed);
        Set<Integer> extra = new TreeSet<>(listed);
        extra.removeAll(truth);
        return "file " + listed.size() + ", /proc " + truth.size() + ": missing " + shown(missing)
                + ", extra " + shown(extra);
    }

    private static String shown(Set<Integer> pids) {
        List<String> first = new ArrayList<>();
        for (int pid : pids) {
            if (first.size() == SHOWN) {
                break;
            }
            first.add(pid + " (" + procSays(pid) + ")");
        }
        return first + (pids.size() > SHOWN ? " and " + (pids.size() - SHOWN) + " more" : "");
    }

    /** "sleep, State S, Uid 0 0 0 0, Gid ..., Threads 1", or "gone". */
    private static String procSays(int pid) {
        try {
            List<String> said = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                for (String key : new String[] {"Name:", "State:", "PPid:", "Uid:", "Gid:", "Threads:"}) {
                    if (line.startsWith(key)) {
                        said.add(line.replaceAll("\\s+", " "));
                    }
                }
            }
            return String.join(", ", said);
        } catch (IOException e) {
            return "gone";
        }
    }

    /**
     * Returns once the daemon has applied every event the kernel sent before this call: a
     * marker process started now under {@code marker}'s uid (a rule of the mounted
     * configuration) must appear in its file and then leave it. The proc connector delivers
     * events in order, so whatever happened before the marker's fork is applied by then: a
     * way to check that something stays true without sleeping.
     */
    void awaitCaughtUp(Rule marker) {
        Process p;
        try {
            p = new ProcessBuilder("setpriv", "--reuid=" + marker.uid(), "--regid=" + marker.uid(), "--clear-groups",
                    "sleep", "1000")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot start a marker process as uid " + marker.uid(), e);
        }
        try {
            int pid = (int) p.pid();
            Deadline.await("marker " + pid + " shows in " + marker.name(), () ->
                    pids(marker.name()).contains(pid) ? null : marker.name() + ": " + pids(marker.name()));
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Deadline.await("marker " + pid + " leaves " + marker.name(), () ->
                    pids(marker.name()).contains(pid) ? marker.name() + ": " + pids(marker.name()) : null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }
}
