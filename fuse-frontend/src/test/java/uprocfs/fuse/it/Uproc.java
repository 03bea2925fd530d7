package uprocfs.fuse.it;

import uprocfs.testing.ProcessResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.Main;
import uprocfs.fuse.daemon.ReadinessChannel;

/**
 * The uproc command, run as root would run it: a JVM of its own on this test's class path,
 * so that signals, exit codes, the background start and the mount are all real.
 */
public final class Uproc implements AutoCloseable {
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    /**
     * How long a daemon may take to mount: its own start is 1 to 2 s here (a JVM's start,
     * the configuration, the /proc scan), and a machine three times slower is still far
     * inside this.
     */
    private static final Duration MOUNTS = Duration.ofSeconds(60);

    /** The PID of the daemon a background start reported on standard error, or -1. */
    public static long daemonPid(ProcessResult started) {
        Matcher m = DAEMON_PID.matcher(started.err());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private final Process process;
    private final Scratch scratch;

    private Uproc(Process process, Scratch scratch) {
        this.process = process;
        this.scratch = scratch;
    }

    private static List<String> command(List<String> args) {
        return command(List.of(), args);
    }

    private static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dfile.encoding=UTF-8"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return command;
    }

    /**
     * Runs {@code uproc -f -o config_file=CONFIG ARGS... MNT} with its output in the scratch log,
     * and returns once the daemon says it is mounted and populated, on the readiness channel a
     * background start waits on (the foreground daemon answers there too when it finds the
     * channel in its environment). A daemon that says otherwise, ends, or says nothing in time
     * fails the test, and is stopped.
     */
    public static Uproc foreground(Scratch scratch, String... args) {
        List<String> all = new ArrayList<>(List.of("-f", "-o", "config_file=" + scratch.config));
        all.addAll(List.of(args));
        all.add(scratch.mnt.toString());
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            ProcessBuilder builder = new ProcessBuilder(command(all))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(scratch.log.toFile()))
                    .redirectErrorStream(true);
            builder.environment().put(ReadinessChannel.ENVIRONMENT, channel.address().toString());
            Uproc uproc = new Uproc(builder.start(), scratch);
            String failure;
            try {
                ReadinessChannel.Verdict verdict = channel.await(uproc::isAlive, MOUNTS, note -> { });
                if (verdict != null && verdict.exitCode() == ExitCode.OK) {
                    return uproc;
                }
                failure = verdict == null ? "ended without a verdict"
                        : "said " + verdict.exitCode() + ": " + verdict.message();
            } catch (TimeoutException e) {
                failure = "said nothing within " + MOUNTS.toSeconds() + " s";
            }
            uproc.close();
            throw new AssertionError("uproc -f " + failure + " instead of mounting " + scratch.mnt + "; log:\n"
                    + scratch.logText());
        } catch (IOException e) {
            throw new AssertionError("cannot start uproc", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while uproc was starting", e);
        }
    }

    /** Runs {@code uproc ARGS...} to its end and returns what it said. */
    public static ProcessResult run(String... args) {
        return ProcessResult.of(command(List.of(args)));
    }

    /**
     * Runs {@code uproc ARGS...} in a JVM with {@code jvmOptions} too, which a background
     * start hands on to the daemon's JVM.
     */
    public static ProcessResult run(List<String> jvmOptions, String... args) {
        return ProcessResult.of(command(jvmOptions, List.of(args)));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name ("HUP", "TERM", "KILL") with kill(1). */
    public void signal(String name) {
        signal(process.pid(), name);
    }

    public static void signal(long pid, String name) {
        try {
            int status = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
            if (status != 0) {
                throw new AssertionError("kill -" + name + " " + pid + " failed with status " + status);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the daemon to end and returns its exit code. */
    public int awaitExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError("uproc did not end within 20 s; log:\n" + scratch.logText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    /** Stops the daemon if it still runs: SIGTERM, then SIGKILL if it does not end. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
