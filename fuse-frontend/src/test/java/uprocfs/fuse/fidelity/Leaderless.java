package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import uprocfs.testing.ProcessResult;
import uprocfs.fuse.it.Scratch;
import uprocfs.testing.Deadline;
import uprocfs.testing.RootEnvironment;

/**
 * A process whose leader thread has exited while its other threads run on: main starts N
 * threads, says ready and calls pthread_exit. The leader becomes a zombie (State Z, Threads
 * N+1) and the process runs on; when its standard input closes, it exits with status 0.
 */
final class Leaderless {
    /** The program's file name, hence its comm. */
    static final String NAME = "uprocleader";

    /** One thread reads standard input until it closes and then ends the process; the others sleep. */
    private static final String SOURCE = """
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <unistd.h>

            static void *exit_at_eof(void *unused) {
                char c;
                while (read(0, &c, 1) > 0) {
                }
                exit(0);
            }

            static void *sleep_forever(void *unused) {
                for (;;) {
                    pause();
                }
                return unused;
            }

            int main(int argc, char **argv) {
                int threads = argc > 1 ? atoi(argv[1]) : 1;
                pthread_t t;
                if (pthread_create(&t, NULL, exit_at_eof, NULL) != 0) {
                    return 1;
                }
                for (int i = 1; i < threads; i++) {
                    if (pthread_create(&t, NULL, sleep_forever, NULL) != 0) {
                        return 1;
                    }
                }
                printf("ready\\n");
                fflush(stdout);
                pthread_exit(NULL);
            }
            """;

    private Leaderless() {
    }

    /** Compiles the program with gcc into the scratch directory, or skips the test where there is no gcc. */
    static Path compile(Scratch scratch) throws IOException {
        assumeTrue(RootEnvironment.onPath("gcc"), "needs gcc to build a program whose main thread calls pthread_exit "
                + "(tools/install-deps installs it)");
        Path source = scratch.dir.resolve("leaderless.c");
        Path binary = scratch.dir.resolve(NAME);
        Files.writeString(source, SOURCE, StandardCharsets.US_ASCII);
        ProcessResult cc = ProcessResult.of("gcc", "-O", "-pthread", "-o", binary.toString(), source.toString());
        assertEquals(0, cc.exitCode(), "gcc: " + cc);
        return binary;
    }

    /**
     * Starts the program with {@code threads} threads besides main, as {@code uid} (also its
     * gid) with the supplementary groups {@code groups} (none when empty), through setpriv.
     * The caller keeps the process to kill it; {@link #awaitLeaderExited} waits for it.
     */
    static Process start(Path binary, int uid, List<Long> groups, int threads) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid));
        if (groups.isEmpty()) {
            command.add("--clear-groups");
        } else {
            List<String> gids = groups.stream().map(String::valueOf).toList();
            command.add("--groups=" + String.join(",", gids));
        }
        command.addAll(List.of(binary.toString(), Integer.toString(threads)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Waits until {@code p} says ready and /proc shows its leader exited, its {@code threads} threads running. */
    static void awaitLeaderExited(Process p, int threads) throws IOException {
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        assertEquals("ready", ready);
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        Deadline.awaitLoad("the leader of " + p.pid() + " exits while its other threads run", () -> {
            String text = read(status);
            return text.contains("State:\tZ") && text.contains("Threads:\t" + (threads + 1) + "\n") ? null : text;
        });
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
