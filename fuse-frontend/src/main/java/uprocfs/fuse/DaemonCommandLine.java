package uprocfs.fuse;

import java.util.ArrayList;
import java.util.List;

/**
 * The command lines that start a daemon, read without picocli: {@code -f}, {@code -d},
 * {@code -s}, {@code -o OPT[,OPT...]} (repeatable) and one MOUNTPOINT, or {@code --} before
 * it. picocli builds its model of the command from annotations at every start, 0.15 s of a
 * cold JVM (its classes are Java 5 class files, which the class-data archive cannot hold), and
 * a start is what the user waits for.
 *
 * <p>Only what picocli would read the same way is taken: anything else (help, version,
 * {@code --check}, clustered flags, {@code -oOPT}, a value that looks like an option or holds
 * a quote or an empty item, a second MOUNTPOINT) gives {@code null}, and picocli reads the
 * line, with its messages for whatever is wrong with it.
 *
 * @param mountPoint     the MOUNTPOINT as given
 * @param options        the {@code -o} options, split at commas
 * @param foreground     {@code -f} or {@code -d}
 * @param debug          {@code -d}
 * @param singleThreaded {@code -s}
 */
record DaemonCommandLine(String mountPoint, List<String> options, boolean foreground, boolean debug,
        boolean singleThreaded) {

    /** What {@code args} ask for, or {@code null} when picocli must read them. */
    static DaemonCommandLine parse(String[] args) {
        List<String> options = new ArrayList<>();
        boolean foreground = false;
        boolean debug = false;
        boolean singleThreaded = false;
        String mountPoint = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-f" -> foreground = true;
                case "-d" -> debug = true;
                case "-s" -> singleThreaded = true;
                case "-o" -> {
                    if (i + 1 == args.length || !addOptions(args[++i], options)) {
                        return null;
                    }
                }
                case "--" -> {
                    if (mountPoint != null || i + 2 != args.length || args[i + 1].isEmpty()) {
                        return null;
                    }
                    mountPoint = args[++i];
                }
                default -> {
                    if (mountPoint != null || arg.isEmpty() || arg.startsWith("-")) {
                        return null;
                    }
                    mountPoint = arg;
                }
            }
        }
        if (mountPoint == null) {
            return null;
        }
        return new DaemonCommandLine(mountPoint, List.copyOf(options), foreground || debug, debug, singleThreaded);
    }

    /** Adds the items of one {@code -o} value; false when picocli should judge it. */
    private static boolean addOptions(String value, List<String> options) {
        if (value.isEmpty() || value.startsWith("-") || value.indexOf('"') >= 0 || value.indexOf('\'') >= 0) {
            return false;
        }
        for (String item : value.split(",", -1)) {
            if (item.isEmpty()) {
                return false;
            }
            options.add(item);
        }
        return true;
    }
}
