package uprocfs.fuse;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import uprocfs.fuse.daemon.Daemon;
import uprocfs.fuse.daemon.DaemonLog;
import uprocfs.fuse.daemon.DaemonSettings;
import uprocfs.fuse.daemon.ReadinessChannel;
import uprocfs.fuse.daemon.SystemdNotifier;

/**
 * {@code uproc [-o opt[,opt...]] [-f] [-d] [-s] MOUNTPOINT}, or {@code uproc --check}: the
 * options, and which way to run.
 */
@Command(name = "uproc",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        separator = " ",
        exitCodeOnInvalidInput = ExitCode.USAGE,
        exitCodeOnExecutionException = ExitCode.FAILURE,
        synopsisHeading = "Usage: ",
        customSynopsis = {
            "uproc [-f] [-d] [-s] [-o OPT[,OPT...]]... MOUNTPOINT",
            "   or: uproc --check [-o config_file=FILE]",
            "   or: uproc --help | --version",
        },
        descriptionHeading = "%n",
        description = {
            "Shows rule-defined sets of processes (\"namespaces\") as read-only files of PIDs under "
                + "MOUNTPOINT: one file per rule of the configuration, listing the PIDs of the processes "
                + "that match it, ascending, one per line. The files are kept current from the kernel's "
                + "process events, so reading one costs no scan of /proc:",
            "",
            "    wc -l /uproc/uid.1000        kill $(cat /uproc/backup)",
            "",
            "Without -f, uproc returns once the filesystem is mounted and filled, and leaves the "
                + "daemon running in the background. It must run as root. With --check, uproc only "
                + "reads the configuration, as a reload would, and says whether it can be used.",
        },
        parameterListHeading = "%nParameters:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:mounted and filled (with -f: stopped cleanly)",
            "1:usage: bad option, missing MOUNTPOINT, unwritable log file",
            "2:configuration error (FILE:LINE:COL: lines on standard error); nothing mounted (with --check: the "
                + "configuration cannot be used)",
            "3:mountpoint missing, not a directory, not empty, already mounted, or the mount failed",
            "4:not root, or the kernel refused the process-event subscription",
            "5:the daemon failed while starting or running (it unmounted first)",
        },
        footerHeading = "%n",
        footer = {
            "Configuration: /etc/uproc.conf, or -o config_file=FILE. When /etc/uproc.conf",
            "does not exist, there is one namespace per user (uid.NAME) and per group",
            "(gid.NAME). One rule per line: KEY VALUE [KEY VALUE ...] NAME. Keys: uid",
            "(number), gid (number), cmd (command name as in /proc/PID/comm, at most 15",
            "bytes), exe (the executable's path), args (\"REGEX\" on the command line),",
            "under (NAME of a namespace: its members and every process they start); a",
            "process must match all of a rule's keys; NAME is the file's name. uid, gid",
            "and cmd may be *: one file per value, named by {uid}, {user}, {gid}, {group},",
            "{cmd} in NAME. # and ; start comments. See uproc.conf(5).",
            "",
            "    uid 1000 alice",
            "    gid 34 groups.backup",
            "    cmd tar uid 1000 alice.tar",
            "    uid * user.{user}",
            "    cmd sshd sshd",
            "    under sshd uid * sessions.{user}",
            "",
            "Run as root, uproc reads only a file that belongs to root and that others",
            "cannot write.",
            "",
            "Who sees what: root sees every file. Another user sees a file only if its",
            "rule's uid (if it has one) is theirs and its gid (if it has one) is their",
            "primary group; for them the other files do not exist. Users other than root",
            "get in at all only with -o allow_other. Where /proc is mounted with",
            "hidepid=invisible or ptraceable, a user who is not in its gid= group reads",
            "in every file only their own processes, as in /proc.",
            "",
            "Status: MOUNTPOINT/.status (readable by everyone, shown by ls -a) lists the",
            "daemon's counters as key: value lines: events, overflows, resyncs, audits,",
            "reloads, event lag.",
            "",
            "Signals: SIGTERM or SIGINT stops the daemon and unmounts, and so does",
            "fusermount -u MOUNTPOINT. SIGHUP re-reads the configuration without",
            "unmounting; if the new one has errors, they are logged and the running one",
            "stays. A mountpoint left dead by a killed daemon (\"Transport endpoint is not",
            "connected\") is reclaimed at the next start.",
            "",
            "Log: /var/log/uproc.log in the background (-o log_file=FILE); with -f,",
            "standard error.",
            "",
            "Example:",
            "",
            "    mkdir -p /uproc && uproc -o allow_other /uproc && wc -l /uproc/*",
        })
final class UprocCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MOUNTPOINT", arity = "0..1",
            description = "Empty directory to mount on, e.g. /uproc (create it with mkdir -p /uproc). "
                + "Required, except with --check.")
    private String mountPoint;

    @Option(names = "--check",
            description = "Check the configuration and exit, mounting nothing: read and validate the rules "
                + "(from -o config_file=FILE, else /etc/uproc.conf, else the system's users and groups) as "
                + "the daemon would at startup or on SIGHUP, print how many namespaces they make and every "
                + "warning. Exits 0 when they can be used, 2 with FILE:LINE:COL: errors when not. Other -o "
                + "options are checked too, and otherwise ignored, so a service's own options may be passed.")
    private boolean check;

    @Option(names = "-o", paramLabel = "OPT", split = ",", splitSynopsisLabel = ",",
            description = {
                "Mount options, comma-separated; repeatable.",
                "config_file=FILE: the rules (default /etc/uproc.conf; - reads standard input, with -f only).",
                "log_file=FILE: the background daemon's log (default /var/log/uproc.log).",
                "audit_interval=SECONDS: compare the files with /proc every SECONDS and repair what events "
                    + "did not explain (default 60; 0: never).",
                "rcvbuf=BYTES: the limit of the kernel's queue of process events waiting for the daemon "
                    + "(default 16M; K, M and G are KiB, MiB and GiB; 64K to 1G). The kernel doubles it "
                    + "(socket(7)) and charges some 830 bytes per waiting event, so 16M holds about 40,000. "
                    + "Past it the kernel drops events: the daemon then rescans /proc, and .status counts the "
                    + "overflows. Run as root, uproc may exceed the sysctl net.core.rmem_max (SO_RCVBUFFORCE). "
                    + "A limit, not an allocation: only waiting events take memory.",
                "metrics=[ADDR:]PORT: serve Prometheus metrics at http://ADDR:PORT/metrics (ADDR defaults to "
                    + "127.0.0.1; 0.0.0.0 for every address); off unless given.",
                "max_templated=N: the most files templated rules (uid *, gid *, cmd *) may make at once "
                    + "(default 100000); past it no new one is made, and .status counts the processes left out.",
                "Any other option goes to FUSE: allow_other lets users other than root in, nonempty mounts "
                    + "over a directory's files. uproc itself sets fsname, subtype, direct_io and zero "
                    + "entry, attribute and negative timeouts, so that nothing is served from a cache (without "
                    + "allow_other, where only root can look, an hour's entry timeout: every stat and open "
                    + "still reaches the daemon).",
            })
    private List<String> options = new ArrayList<>();

    @Option(names = "-f", description = "Stay in the foreground and log to standard error.")
    private boolean foreground;

    @Option(names = "-d", description = "Log every FUSE request (libfuse debug output); implies -f.")
    private boolean debug;

    @Option(names = "-s", description = "Serve FUSE requests on a single thread.")
    private boolean singleThreaded;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    UprocCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * For picocli's generators, which build the man page and the bash completion from this
     * class's annotations at package time (etc/pom.xml), so they cannot drift from --help.
     */
    UprocCommand() {
        this(System.out, System.err);
    }

    @Override
    public Integer call() {
        if (check && (mountPoint != null || foreground || debug || singleThreaded)) {
            throw new ParameterException(spec.commandLine(), "--check mounts nothing: it takes no MOUNTPOINT, "
                    + "-f, -d or -s (uproc --check -o config_file=FILE)");
        }
        if (!check && mountPoint == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'MOUNTPOINT'");
        }
        return start(commandLine(), check, out, err);
    }

    /** What picocli read: the daemon's part of the command line. */
    DaemonCommandLine commandLine() {
        return new DaemonCommandLine(mountPoint, List.copyOf(options), foreground || debug, debug, singleThreaded);
    }

    /**
     * Runs what {@code line} asks: with {@code check}, {@link ConfigCheck}; else a daemon, in
     * the foreground or the background. Returns the exit code.
     */
    static int start(DaemonCommandLine line, boolean check, PrintStream out, PrintStream err) {
        DaemonSettings settings;
        try {
            settings = DaemonSettings.of(line.mountPoint(), line.options(), line.debug(), line.singleThreaded());
        } catch (StartFailure f) {
            DaemonLog.forCommand(err).error(f.getMessage());
            return f.exitCode();
        }
        if (check) {
            return ConfigCheck.run(settings, out, err);
        }
        if (line.foreground()) {
            DaemonLog log = DaemonLog.forDaemon(err);
            ReadinessChannel.DaemonEnd starter = Daemon.reachStarter(System.getenv(ReadinessChannel.ENVIRONMENT), log);
            return new Daemon(settings, log, starter, SystemdNotifier.fromEnvironment()).run();
        }
        // Started in the background by the uproc launcher, which waits itself: the daemon runs here.
        String starter = System.getenv(DetachedStart.ENVIRONMENT);
        if (starter != null) {
            return DetachedStart.run(settings, starter, DaemonLog.forCommand(err));
        }
        return new BackgroundStart(settings, DaemonLog.forCommand(err)).run();
    }
}
