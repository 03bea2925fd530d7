package uprocfs.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The text of a user or group database, as {@code getent} lists it.
 *
 * <p>{@code getent} asks every source that nsswitch.conf names, so users from LDAP or
 * SSSD get namespaces too; the files in {@code /etc} are the fallback when getent is
 * missing, fails, or hangs on an unreachable directory server.
 *
 * @param source  where the text came from, as warnings name it: {@code getent passwd} or the file
 * @param content the text, in passwd(5) or group(5) format
 */
record AccountDatabase(String source, byte[] content) {

    /** How long a directory service may take to list everyone before the files are used instead. */
    static final long GETENT_TIMEOUT_SECONDS = 30;

    /**
     * Lists {@code database} with {@code command} (normally {@code getent DATABASE}), or
     * reads {@code fallback} when that does not work, noting why in {@code diagnostics}.
     *
     * @throws ConfigException when neither gives a list
     */
    static AccountDatabase read(List<String> command, Path fallback, Diagnostics diagnostics)
            throws ConfigException {
        String commandLine = String.join(" ", command);
        String failure;
        try {
            return new AccountDatabase(commandLine, run(command));
        } catch (IOException e) {
            failure = "cannot run: " + e.getMessage();
        } catch (CommandFailed e) {
            failure = e.getMessage();
        }
        diagnostics.warning(commandLine + ": warning: " + failure + "; reading " + fallback
                + " instead, so users and groups known only to a directory service get no namespace");
        try {
            return new AccountDatabase(fallback.toString(), Files.readAllBytes(fallback));
        } catch (NoSuchFileException e) {
            throw ConfigException.ofFile(fallback.toString(), "no such file, and " + commandLine + " failed ("
                    + failure + "): no users or groups to build a default configuration from; write one"
                    + " by hand (see etc/uproc.conf)");
        } catch (IOException e) {
            throw ConfigException.ofFile(fallback.toString(), "cannot read (" + e.getMessage() + "), and "
                    + commandLine + " failed (" + failure + "): write a configuration by hand (see etc/uproc.conf)");
        }
    }

    /** A command that ran but did not list the database. */
    private static final class CommandFailed extends Exception {
        CommandFailed(String message) {
            super(message, null, false, false);
        }
    }

    private static byte[] run(List<String> command) throws IOException, CommandFailed {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        // Read on another thread so that a hung directory service costs a timeout, not the daemon.
        FutureTask<byte[]> output = new FutureTask<>(() -> {
            try (InputStream in = process.getInputStream()) {
                return in.readAllBytes();
            }
        });
        Thread reader = new Thread(output, "read " + String.join(" ", command));
        reader.setDaemon(true);
        reader.start();
        try {
            byte[] content = output.get(GETENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!process.waitFor(GETENT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new CommandFailed("did not exit within " + GETENT_TIMEOUT_SECONDS + " s");
            }
            // getent(1): 0 is success; 3 means the database cannot be enumerated.
            if (process.exitValue() != 0) {
                throw new CommandFailed("exited with status " + process.exitValue());
            }
            return content;
        } catch (TimeoutException e) {
            throw new CommandFailed("gave no complete list within " + GETENT_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            throw new CommandFailed("output could not be read: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailed("interrupted while waiting for it");
        } finally {
            process.destroyForcibly();
        }
    }
}
