package uprocfs.fuse.fidelity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import uprocfs.testing.Deadline;

/**
 * Thousands of long-lived processes under one uid and gid, forked by a shepherd: a bash
 * started with {@code setpriv} as that uid and gid, which on every number N it reads runs a
 * command line N times in the background (e.g. {@code sleep 1000}) and prints the PIDs. One
 * shell forks a thousand processes in about a second, where a ProcessBuilder each takes
 * several.
 *
 * <p>The shepherd is their parent and reaps them when the test kills them by PID. It must
 * outlive them: PID 1 of a container or a micro-VM may not reap orphans, and a killed
 * orphan would stay a zombie, holding its PID, until the machine reboots. So {@link #close()}
 * kills the herd first, then lets the shepherd end (standard input closed, {@code wait}
 * done), and kills the shepherd only if it does not.
 */
final class Herd implements AutoCloseable {
    private static final String SHEPHERD = """
            while read -r n; do
                for ((i = 0; i < n; i++)); do %s & echo $!; done
                echo spawned
            done
            wait
            """;

    private final int uid;
    private final Process shepherd;
    private final Writer commands;
    private final BufferedReader replies;
    private final Set<Integer> alive = new LinkedHashSet<>();

    private Herd(int uid, Process shepherd) {
        this.uid = uid;
        this.shepherd = shepherd;
        this.commands = shepherd.outputWriter(StandardCharsets.US_ASCII);
        this.replies = new BufferedReader(new InputStreamReader(shepherd.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** A shepherd running as {@code uid}:{@code gid} (no supplementary groups) that starts {@code program 1000}. */
    static Herd of(int uid, int gid, String program) {
        return ofCommandLine(uid, gid, "'" + program + "' 1000");
    }

    /**
     * A shepherd that runs {@code commandLine}, bash text, for each process: a simple command
     * is forked and executed, a compound one ({@code { ...; }}) runs in a forked subshell.
     */
    static Herd ofCommandLine(int uid, int gid, String commandLine) {
        try {
            Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                    "bash", "-c", SHEPHERD.formatted(commandLine))
                    // bash reports each killed job on standard error: nothing to keep.
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new Herd(uid, p);
        } catch (IOException e) {
            throw new AssertionError("cannot start a shepherd as " + uid + ":" + gid, e);
        }
    }

    int shepherdPid() {
        return (int) shepherd.pid();
    }

    /** Starts {@code count} more processes and returns their PIDs once all are forked. */
    List<Integer> spawn(int count) {
        List<Integer> pids = new ArrayList<>(count);
        try {
            commands.write(count + "\n");
            commands.flush();
            for (String line = replies.readLine(); !"spawned".equals(line); line = replies.readLine()) {
                if (line == null) {
                    throw new AssertionError("the shepherd of uid " + uid + " ended after " + pids.size() + " of "
                            + count + " processes (exit " + shepherd.waitFor() + ")");
                }
                pids.add(Integer.parseInt(line));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot talk to the shepherd of uid " + uid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            alive.addAll(pids);
        }
        return pids;
    }

    /** The PIDs started and not killed yet, in the order they were started. */
    List<Integer> pids() {
        return new ArrayList<>(alive);
    }

    /** SIGKILL to each of {@code pids} (processes of this herd), by PID; the shepherd reaps them. */
    void kill(Collection<Integer> pids) {
        for (int pid : pids) {
            if (!alive.remove(pid)) {
                throw new IllegalArgumentException(pid + " is not a living process of this herd");
            }
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Kills every process of the herd, then ends the shepherd; leaves no zombie. */
    @Override
    public void close() {
        try {
            kill(pids());
        } finally {
            try {
                commands.close();
                if (!shepherd.waitFor(Deadline.LOAD.toSeconds(), TimeUnit.SECONDS)) {
                    shepherd.destroyForcibly();
                    shepherd.waitFor();
                }
            } catch (IOException e) {
                shepherd.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shepherd.destroyForcibly();
            }
        }
    }
}
