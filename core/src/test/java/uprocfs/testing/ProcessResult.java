package uprocfs.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A command run to its end: exit code, standard output, standard error. */
public record ProcessResult(int exitCode, String out, String err) {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Runs {@code command} with no input, for at most a minute. */
    public static ProcessResult of(String... command) {
        return of(List.of(command));
    }

    public static ProcessResult of(List<String> command) {
        return of(command, null, DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code command} with no input, in the root directory, for at most {@code timeout}.
     *
     * @param environment the whole environment, or {@code null} for this process's own
     */
    public static ProcessResult of(List<String> command, Map<String, String> environment, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(Path.of("/").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (environment != null) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        try {
            Process p = builder.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout.toSeconds()
                        + " s");
            }
            return new ProcessResult(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return ("(cannot read: " + e + ")").getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "exit " + exitCode + ", stdout [" + out + "], stderr [" + err + "]";
    }
}
