package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.fuse.it.Scratch;
import uprocfs.fuse.it.Uproc;
import uprocfs.testing.Deadline;

/**
 * The files list processes, never threads: a thread's fork and exit are events like a
 * process's (child_pid != child_tgid), and so is a thread renaming itself (a COMM event
 * with pid != tgid), and none of them may put a thread id in a file or move the process.
 */
@Tag("root")
class ThreadsTest extends MountedDaemonTest {
    private static final int UID = 60300;
    private static final int WORKERS = 10;
    /** What every worker thread names itself; no process is called that. */
    private static final String WORKER_NAME = "uprocworker";

    /**
     * A JVM (single-file source launch, JEP 330) that starts {@value #WORKERS} threads, each of
     * which renames itself by writing /proc/thread-self/comm, says "ready" once all have, and
     * runs until its standard input closes. A JVM has threads of its own besides these.
     */
    private static final String PROGRAM = """
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.concurrent.CountDownLatch;

            public class Threads {
                public static void main(String[] args) throws Exception {
                    int n = Integer.parseInt(args[0]);
                    CountDownLatch renamed = new CountDownLatch(n);
                    for (int i = 0; i < n; i++) {
                        Thread t = new Thread(() -> {
                            try {
                                Files.writeString(Path.of("/proc/thread-self/comm"), args[1]);
                            } catch (Exception e) {
                                e.printStackTrace();
                                System.exit(1);
                            }
                            renamed.countDown();
                            while (true) {
                                try {
                                    Thread.sleep(Long.MAX_VALUE);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        });
                        t.setDaemon(true);
                        t.start();
                    }
                    renamed.await();
                    System.out.println("ready");
                    System.out.flush();
                    while (System.in.read() >= 0) {
                    }
                }
            }
            """;

    private static final Rule THREADS = Rule.uid(UID, "threads");
    private static final Rule JAVA = Rule.uid(UID, "threads.java").andCmd("java");
    private static final Rule WORKERS_BY_NAME = Rule.cmd(WORKER_NAME, "workers");
    private static final List<Rule> RULES = List.of(THREADS, JAVA, WORKERS_BY_NAME);
    /**
     * A thread's FORK event names the process's parent as parent (copy_process with
     * CLONE_THREAD), here the test JVM, root: a thread taken for a process would show up here.
     * Root's processes come and go all the time, so this file is searched for thread ids only,
     * not compared with /proc.
     */
    private static final Rule ROOT = Rule.uid(0, "root");


    @Test
    void threadsAreNotListedAsProcesses() throws IOException, InterruptedException {
        List<Rule> all = new ArrayList<>(RULES);
        all.add(ROOT);
        scratch.config(Rule.config(all));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);
        started = startThreadedJvm();
        int pid = (int) started.pid();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> firstLine(started));

        // Every PID the files show while the JVM starts its threads, and they rename themselves.
        Set<Integer> everListed = new TreeSet<>();
        Set<Integer> everListedAsRoot = new TreeSet<>();
        Deadline.awaitLoad("the started JVM says ready", () -> {
            everListed.addAll(files.pids(THREADS.name()));
            everListed.addAll(files.pids(WORKERS_BY_NAME.name()));
            everListedAsRoot.addAll(files.pids(ROOT.name()));
            if (!started.isAlive()) {
                throw new AssertionError("the started JVM ended with " + started.exitValue());
            }
            return ready.isDone() ? null : "not ready";
        });
        assertEquals("ready", ready.join());

        List<Integer> tasks = taskIds(pid);
        List<Integer> renamed = new ArrayList<>();
        for (int tid : tasks) {
            if (WORKER_NAME.equals(comm(pid, tid))) {
                renamed.add(tid);
            }
        }
        assertEquals(WORKERS, renamed.size(), "renamed worker threads of " + pid + " among tasks " + tasks);
        assertTrue(tasks.size() >= WORKERS + 1, "tasks of " + pid + ": " + tasks);

        files.awaitTruth("the files list the JVM once, by its PID", Deadline.DEFAULT, RULES);
        assertEquals(List.of(pid), files.pids(THREADS.name()));
        assertEquals(List.of(pid), files.pids(JAVA.name()));
        assertEquals(List.of(), files.pids(WORKERS_BY_NAME.name()), "threads renamed themselves, the process did not");
        everListed.addAll(files.pids(THREADS.name()));
        assertEquals(Set.of(pid), everListed, "no thread id (" + renamed + ") was ever listed");
        everListedAsRoot.addAll(files.pids(ROOT.name()));
        Set<Integer> threadIds = new TreeSet<>(tasks);
        threadIds.remove(pid);
        threadIds.retainAll(everListedAsRoot);
        assertEquals(Set.of(), threadIds, "thread ids listed as processes of the JVM's parent");

        started.getOutputStream().close();
        awaitEnd(started);
        files.awaitTruth("the JVM leaves with its threads", Deadline.DEFAULT, RULES);
        assertFalse(files.pids(THREADS.name()).contains(pid));
    }

    /**
     * The daemon reads a process from /proc on its EXEC event, Threads: line included, when it
     * gets to that event, and counts thread FORK events from there. If the threads started in
     * between, as when the daemon is behind, they must not count twice: the process must still
     * leave when it exits. Here the daemon is stopped while the JVM execs and starts them.
     */
    @Test
    void processWhoseThreadsStartedWhileTheDaemonWasBehindLeavesWhenItExits()
            throws IOException, InterruptedException {
        scratch.config(Rule.config(RULES));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);
        int pid;
        try (StoppedDaemon stopped = StoppedDaemon.stop(uproc)) {
            long starting = System.nanoTime();
            started = startThreadedJvm();
            pid = (int) started.pid();
            assertEquals("ready", firstLine(started));
            Deadline.printLoad("the started JVM says ready", starting);
            assertTrue(taskIds(pid).size() > WORKERS, "threads of " + pid + ": " + taskIds(pid));
        }
        files.awaitTruth("the JVM is listed once the daemon catches up", Deadline.DEFAULT, RULES);
        assertEquals(List.of(pid), files.pids(THREADS.name()));

        started.getOutputStream().close();
        awaitEnd(started);
        files.awaitTruth("the JVM leaves with its threads", Deadline.DEFAULT, RULES);
        assertEquals(List.of(), files.pids(THREADS.name()));
    }

    /** Waits, as load, for the started JVM to end now that its input is closed. */
    private static void awaitEnd(Process jvm) {
        Deadline.awaitLoad("the started JVM ends when its input closes", () -> jvm.isAlive() ? "still running" : null);
    }

    private Process startThreadedJvm() throws IOException {
        Path source = scratch.dir.resolve("Threads.java");
        Files.writeString(source, PROGRAM, StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups",
                java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", source.toString(),
                Integer.toString(WORKERS), WORKER_NAME)
                .directory(scratch.dir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(scratch.dir.resolve("threads.err").toFile()))
                .start();
    }

    private static String firstLine(Process p) {
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            return out.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The thread ids of {@code pid}, from /proc/PID/task. */
    private static List<Integer> taskIds(int pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            return tasks.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        }
    }

    private static String comm(int pid, int tid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
