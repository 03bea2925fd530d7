package uprocfs.netlink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import uprocfs.testing.Deadline;

/**
 * Processes a test starts to make events. How fast the machine runs them is not what the
 * tests check: they are waited for up to {@link Deadline#LOAD}, and the time they took is
 * printed.
 */
final class ShortLived {
    private ShortLived() {
    }

    /**
     * Runs {@code sh -c script} to its end and returns the lines of its standard output; fails
     * if it exits with an error or is still running after {@link Deadline#LOAD}.
     */
    static List<String> run(String what, String script) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process shell = new ProcessBuilder("/bin/sh", "-c", script)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        try {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!shell.waitFor(Deadline.LOAD.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(what + ": still running after " + Deadline.LOAD.toSeconds() + " s");
            }
            if (shell.exitValue() != 0) {
                throw new AssertionError(what + ": sh exited with " + shell.exitValue());
            }
            Deadline.printLoad(what, start);
            return out.join().lines().toList();
        } finally {
            destroy(shell);
        }
    }

    /** Kills {@code process} and what it started, and waits (up to 5 s) for it to end. */
    static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
