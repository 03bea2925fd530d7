package uprocfs.fuse.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A command run to its end: exit code, standard output, standard error. */
public record ProcessResult(int exitCode, String out, String err) {

    /** Runs {@code command} with no input, for at most a minute. */
    public static ProcessResult of(String... command) {
        return of(List.of(command));
    }

    public static ProcessResult of(List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within 60 s");
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

    private static byte[] readAll(java.io.InputStream in) {
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
