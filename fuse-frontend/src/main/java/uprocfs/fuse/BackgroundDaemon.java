package uprocfs.fuse;

import java.util.ArrayList;
import java.util.List;
import uprocfs.fuse.daemon.Daemon;
import uprocfs.fuse.daemon.DaemonLog;
import uprocfs.fuse.daemon.DaemonSettings;
import uprocfs.fuse.daemon.ReadinessChannel;
import uprocfs.fuse.daemon.SystemdNotifier;

/**
 * The daemon's JVM of a background start: runs {@link DaemonSettings#foregroundArguments()},
 * which {@link BackgroundStart} has made from a command line picocli already checked, as
 * {@code uproc -f} would. It reads them without picocli, whose model of the command line
 * takes a cold JVM 0.15 s to build (its classes are Java 5 class files, which the class-data
 * archive cannot hold), and the daemon's startup is what the user waits for.
 */
public final class BackgroundDaemon {
    private BackgroundDaemon() {
    }

    public static void main(String[] args) {
        DaemonLog log = DaemonLog.forDaemon(System.err);
        DaemonSettings settings;
        try {
            settings = settings(List.of(args));
        } catch (StartFailure f) {
            log.error(f.getMessage());
            System.exit(f.exitCode());
            return;
        }
        Daemon daemon = new Daemon(settings, log, System.getenv(ReadinessChannel.ENVIRONMENT),
                SystemdNotifier.fromEnvironment());
        System.exit(daemon.run());
    }

    /**
     * The settings {@code args} stand for: {@code -f}, {@code -o OPTION} (one option each),
     * {@code -d}, {@code -s}, then {@code --} and the mountpoint.
     *
     * @throws StartFailure ({@link ExitCode#USAGE}) for anything else, or for an option
     *                      {@link DaemonSettings#of} refuses
     */
    static DaemonSettings settings(List<String> args) throws StartFailure {
        List<String> options = new ArrayList<>();
        boolean debug = false;
        boolean singleThreaded = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            boolean last = i == args.size() - 1;
            switch (arg) {
                case "-f" -> {
                }
                case "-d" -> debug = true;
                case "-s" -> singleThreaded = true;
                case "-o" -> {
                    if (last) {
                        throw notOurs(args);
                    }
                    options.add(args.get(++i));
                }
                case "--" -> {
                    if (i != args.size() - 2) {
                        throw notOurs(args);
                    }
                    return DaemonSettings.of(args.get(i + 1), options, debug, singleThreaded);
                }
                default -> throw notOurs(args);
            }
        }
        throw notOurs(args);
    }

    private static StartFailure notOurs(List<String> args) {
        return new StartFailure(ExitCode.USAGE, BackgroundDaemon.class.getName() + " runs what a background start "
                + "gives it (-f [-o OPTION]... [-d] [-s] -- MOUNTPOINT), not " + String.join(" ", args)
                + ": start the daemon with uproc (see uproc --help)");
    }
}
