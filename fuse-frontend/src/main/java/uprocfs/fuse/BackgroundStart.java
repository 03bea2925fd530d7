package uprocfs.fuse;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import uprocfs.fuse.daemon.ConfigSource;
import uprocfs.fuse.daemon.Daemon;
import uprocfs.fuse.daemon.DaemonLog;
import uprocfs.fuse.daemon.DaemonSettings;
import uprocfs.fuse.daemon.ReadinessChannel;
import uprocfs.fuse.daemon.SystemError;

/**
 * {@code uproc MOUNTPOINT} without {@code -f}: starts the daemon detached and returns once it
 * has mounted and populated the filesystem, with its verdict as the exit code, as the C
 * original did by forking. The uproc launcher does this itself for the command lines it can
 * read, with one JVM ({@link DetachedStart}); this is the way of every other start, the jar's
 * run without the launcher among them.
 *
 * <p>A JVM cannot fork itself, so this JVM starts a second one running what {@code -f} would
 * ({@link Main} with {@code -f}, read without picocli: {@link DaemonCommandLine}), in a session of its own ({@code setsid}: no controlling
 * terminal, so closing the terminal sends it no SIGHUP), with standard input from
 * {@code /dev/null}, its output appended to the log file and {@code /} as working directory
 * (so it keeps no directory busy), and waits for its verdict on a {@link ReadinessChannel},
 * printing the notes that come before it (the configuration's warnings).
 *
 * <p>The daemon is started through a shell that puts it in the background and exits, so
 * that it is not this JVM's child. A JVM with a live child has a thread blocked in
 * {@code waitpid} on it, and HotSpot's exit waits up to 300 ms for threads in native code:
 * a third of a second added to every start.
 */
final class BackgroundStart {
    /** Generous: the daemon scans all of /proc before mounting, and has its own mount deadline. */
    private static final Duration READY_LIMIT = Duration.ofMinutes(2);

    private final DaemonSettings settings;
    private final DaemonLog messages;

    BackgroundStart(DaemonSettings settings, DaemonLog messages) {
        this.settings = settings;
        this.messages = messages;
    }

    int run() {
        try {
            return start();
        } catch (StartFailure f) {
            messages.error(f.getMessage());
            return f.exitCode();
        }
    }

    private int start() throws StartFailure {
        if (settings.configFromStandardInput()) {
            throw standardInputNeedsForeground();
        }
        // What can be checked at once is checked here, so that these errors come back without
        // waiting for a JVM to start, and on this terminal, not in the log.
        Daemon.checkBeforeStart(settings, new ConfigSource(settings.configFile()), messages);
        Path log = settings.logFile();
        checkWritable(log);
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            long pid = launch(channel.address(), log);
            Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
            ReadinessChannel.Verdict verdict;
            try {
                verdict = channel.await(() -> daemon.map(ProcessHandle::isAlive).orElse(false), READY_LIMIT,
                        messages::info);
            } catch (TimeoutException e) {
                // SIGTERM: the daemon's own clean stop, which unmounts whatever it got to mount.
                daemon.ifPresent(ProcessHandle::destroy);
                throw new StartFailure(ExitCode.FAILURE, "the daemon (pid " + pid + ") was not ready within "
                        + READY_LIMIT.toSeconds() + " s and was stopped; see " + log);
            }
            if (verdict == null) {
                throw new StartFailure(ExitCode.FAILURE, "the daemon (pid " + pid + ") ended before it was ready; "
                        + "see " + log);
            }
            if (verdict.exitCode() != ExitCode.OK) {
                throw new StartFailure(verdict.exitCode(), verdict.message());
            }
            messages.info(verdict.message() + "; daemon pid " + pid + ", log " + log);
            return ExitCode.OK;
        } catch (IOException e) {
            throw new StartFailure(ExitCode.FAILURE, "cannot start the daemon: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure(ExitCode.FAILURE, "interrupted while waiting for the daemon; it may still be "
                    + "starting, see " + log);
        }
    }

    static StartFailure standardInputNeedsForeground() {
        return new StartFailure(ExitCode.USAGE, "-o config_file=- needs -f: a daemon in the background has no "
                + "standard input to read its configuration from (nor to read it again on SIGHUP)");
    }

    static void checkWritable(Path log) throws StartFailure {
        try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.flush();
        } catch (IOException e) {
            throw new StartFailure(ExitCode.USAGE, "cannot write the log file " + log + " (" + SystemError.describe(e)
                    + "): choose another with -o log_file=FILE, or run in the foreground with -f");
        }
    }

    /**
     * Starts the daemon and returns its pid. The shell starts {@code setsid JVM...} in the
     * background and prints its pid; {@code setsid} execs the JVM in place (the background
     * job of a shell without job control leads no process group, so setsid need not fork),
     * so that pid is the daemon's. The JVM's output, and the shell's own errors, go to the log.
     */
    private long launch(Path readiness, Path log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "setsid \"$@\" >&2 & echo $!", "sh"));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArguments());
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(Main.class.getName());
        command.addAll(settings.foregroundArguments());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put(ReadinessChannel.ENVIRONMENT, readiness.toString());
        Process shell = builder.start();
        String printed = new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        int status = shell.waitFor();
        if (status != 0 || !printed.matches("[0-9]{1,10}")) {
            throw new IOException("sh exited with status " + status + " and printed '" + printed + "' instead of "
                    + "the daemon's pid; see " + log);
        }
        return Long.parseLong(printed);
    }

    /** This JVM's own options (heap, GC, encoding...), minus a debugger agent, whose port is taken. */
    private static List<String> jvmArguments() {
        List<String> args = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
                args.add(arg);
            }
        }
        return args;
    }

    /** The class path with every entry absolute: the daemon runs in {@code /}. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
