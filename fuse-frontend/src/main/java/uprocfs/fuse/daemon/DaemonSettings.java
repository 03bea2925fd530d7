package uprocfs.fuse.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import uprocfs.core.engine.EngineAgent;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;

/**
 * Everything the command line decides about a daemon: where to mount, which configuration,
 * where to log, and what to tell libfuse.
 *
 * @param mountPoint     where to mount; {@code null} for {@code --check}, which mounts nothing
 * @param configFile     the configuration named by {@code -o config_file}, or {@code null}
 *                       for the default ({@value #DEFAULT_CONFIG_NAME}, else the users and
 *                       groups of the system)
 * @param logFile        where a background daemon writes its log
 * @param auditInterval  time between two audits of the files against /proc; zero: none
 * @param receiveBufferBytes what to ask of the kernel as the limit of the event queue
 *                       (SO_RCVBUFFORCE; the kernel doubles it)
 * @param fuseOptions    {@code -o} options for libfuse beyond those uproc sets itself
 * @param debug          libfuse's {@code -d}: every request logged
 * @param singleThreaded libfuse's {@code -s}: one thread serves all requests
 * @param maxTemplated   the most files the templated rules may make at once
 * @param metrics        where to serve /metrics, or {@code null}: not at all
 */
public record DaemonSettings(MountPoint mountPoint, Path configFile, Path logFile, Duration auditInterval,
                             int receiveBufferBytes, List<String> fuseOptions, boolean debug,
                             boolean singleThreaded, int maxTemplated, MetricsAddress metrics) {

    /** {@code -o metrics=[ADDR:]PORT}: an address to listen on (default 127.0.0.1) and a port. */
    public record MetricsAddress(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static final String DEFAULT_CONFIG_NAME = "/etc/uproc.conf";
    public static final Path DEFAULT_CONFIG = Path.of(DEFAULT_CONFIG_NAME);
    public static final Path DEFAULT_LOG = Path.of("/var/log/uproc.log");
    /**
     * A minute: an audit reads every /proc/PID/status (tens of milliseconds for a few
     * thousand processes), so once a minute costs nothing measurable, and a file wrong for
     * an unexplained reason is wrong for a minute at most.
     */
    public static final Duration DEFAULT_AUDIT_INTERVAL = Duration.ofSeconds(60);
    /**
     * The event queue's limit asked of the kernel: 16 MiB, which the kernel doubles. A queued
     * proc event costs 832 bytes of it on x86-64 (the skb's truesize, not the 92-byte
     * datagram; measured with /proc/net/netlink's Rmem), so the queue holds some 40,000
     * events, a burst of 13,000 short commands while the daemon is busy or descheduled. It is
     * a limit, not an allocation: memory is taken only by events that wait.
     */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 16 << 20;
    /** What one waiting event takes of the doubled limit (skb truesize, x86-64). */
    private static final int QUEUED_EVENT_BYTES = 832;
    /**
     * Below this a value is far more likely a unit forgotten ({@code rcvbuf=16} for 16M) than
     * meant: 64 KiB holds some 150 events, which one {@code make -j} outruns.
     */
    static final int MIN_RECEIVE_BUFFER_BYTES = 64 << 10;
    /** The kernel caps the request at INT_MAX / 2 (net/core/sock.c, __sock_set_rcvbuf). */
    static final int MAX_RECEIVE_BUFFER_BYTES = 1 << 30;

    /** {@code -o} keys uproc itself understands. */
    public static final String CONFIG_FILE = "config_file";
    public static final String LOG_FILE = "log_file";
    public static final String AUDIT_INTERVAL = "audit_interval";
    public static final String RECEIVE_BUFFER = "rcvbuf";
    public static final String MAX_TEMPLATED = "max_templated";
    public static final String METRICS = "metrics";

    /**
     * Options uproc always mounts with. direct_io: reads bypass the page cache, so no reader
     * gets an older list or one cut at an older st_size (set globally because jnr-fuse maps
     * fuse_file_info's bitfields as whole bytes, so setting it per open does not work).
     * Zero timeouts: the kernel asks again for every lookup and stat, so sizes, new files and
     * files gone after a reload are never stale. fsname/subtype: how the mount table names
     * it ({@code uprocfs on /uproc type fuse.uproc}).
     */
    static final List<String> FIXED_OPTIONS = fixedOptions("entry_timeout=0");

    /**
     * Where only root can reach the mount (no {@code allow_other}), an hour's entry timeout in
     * place of zero: a name once found is not looked up again at each open (a LOOKUP spared, a
     * quarter of an open, read and close), and nothing stale is served, because the stat and
     * the open that follow still reach the daemon and answer ENOENT for a namespace a reload
     * removed. With {@code allow_other} the lookup is what hides a namespace from a user who may
     * not see it: a name the kernel had kept from root's lookup would answer that user's
     * {@code cd} or getxattr with "Not a directory" or "Operation not supported" instead of
     * "No such file or directory", telling them it exists.
     */
    static final String ROOT_ONLY_ENTRY_TIMEOUT = "entry_timeout=3600";

    private static List<String> fixedOptions(String entryTimeout) {
        return List.of("fsname=uprocfs", "subtype=uproc", "direct_io", entryTimeout, "attr_timeout=0",
                "negative_timeout=0");
    }

    private static final Set<String> FIXED_KEYS = Set.of("fsname", "subtype", "direct_io",
            "entry_timeout", "attr_timeout", "negative_timeout", "kernel_cache", "auto_cache");

    public DaemonSettings {
        fuseOptions = List.copyOf(fuseOptions);
    }

    /**
     * Sorts the {@code -o} options (already split at commas) into uproc's own and libfuse's.
     *
     * @throws StartFailure ({@link ExitCode#USAGE}) for an empty file name, an audit interval
     *                      that is not a number of seconds, a receive buffer that is not a size
     *                      in range, or an option that would undo one uproc sets itself
     */
    public static DaemonSettings of(String mountPoint, List<String> options, boolean debug, boolean singleThreaded)
            throws StartFailure {
        Path config = null;
        Path log = DEFAULT_LOG;
        Duration audit = DEFAULT_AUDIT_INTERVAL;
        int receiveBuffer = DEFAULT_RECEIVE_BUFFER_BYTES;
        int maxTemplated = EngineAgent.DEFAULT_MAX_TEMPLATED;
        MetricsAddress metrics = null;
        List<String> fuse = new ArrayList<>();
        for (String option : options) {
            if (option.isEmpty()) {
                continue;
            }
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? null : option.substring(eq + 1);
            if (key.equals(CONFIG_FILE) || key.equals(LOG_FILE)) {
                if (value == null || value.isEmpty() || (key.equals(LOG_FILE) && value.equals("-"))) {
                    throw new StartFailure(ExitCode.USAGE, "-o " + key + " needs a file name: -o " + key + "=FILE");
                }
                // "-" is standard input, not a file in the current directory.
                Path file = value.equals("-") ? Path.of(value) : Path.of(value).toAbsolutePath().normalize();
                if (key.equals(CONFIG_FILE)) {
                    config = file;
                } else {
                    log = file;
                }
            } else if (key.equals(AUDIT_INTERVAL)) {
                audit = seconds(key, value);
            } else if (key.equals(RECEIVE_BUFFER)) {
                receiveBuffer = bytes(key, value);
            } else if (key.equals(METRICS)) {
                metrics = metricsAddress(option, value);
            } else if (key.equals(MAX_TEMPLATED)) {
                if (value == null || !value.matches("[0-9]{1,9}") || Integer.parseInt(value) == 0) {
                    throw new StartFailure(ExitCode.USAGE, "-o " + option + ": expected the most files templated "
                            + "rules may make, a whole number from 1 to 999999999, e.g. -o " + key + "=500000");
                }
                maxTemplated = Integer.parseInt(value);
            } else if (FIXED_KEYS.contains(key)) {
                throw new StartFailure(ExitCode.USAGE, "-o " + option + " cannot be used: uproc mounts with "
                        + String.join(",", FIXED_OPTIONS) + " so that no size or list is ever served stale");
            } else {
                fuse.add(option);
            }
        }
        return new DaemonSettings(mountPoint == null ? null : MountPoint.of(mountPoint), config, log, audit,
                receiveBuffer, fuse, debug, singleThreaded, maxTemplated, metrics);
    }

    /**
     * {@code [ADDR:]PORT}: a port from 1 to 65535, and an address that is an IPv4 address, a
     * host name, or an IPv6 address in brackets; without one, 127.0.0.1, so that nothing is
     * served beyond the machine unless asked for.
     */
    static MetricsAddress metricsAddress(String option, String value) throws StartFailure {
        String usage = "-o " + option + ": expected [ADDR:]PORT, e.g. -o metrics=9256 (on 127.0.0.1) or "
                + "-o metrics=0.0.0.0:9256 (every address)";
        if (value == null || value.isEmpty()) {
            throw new StartFailure(ExitCode.USAGE, usage);
        }
        String host = "127.0.0.1";
        String port = value;
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                throw new StartFailure(ExitCode.USAGE, usage + " (an IPv6 address goes in brackets: [::1]:9256)");
            }
            if (host.isEmpty() || !host.matches("[0-9A-Za-z.:_-]{1,253}")) {
                throw new StartFailure(ExitCode.USAGE, usage);
            }
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new StartFailure(ExitCode.USAGE, usage + " (a port is 1 to 65535)");
        }
        return new MetricsAddress(host, Integer.parseInt(port));
    }

    /** A whole number of seconds, 0 or more (at most Integer.MAX_VALUE: 68 years). */
    private static Duration seconds(String key, String value) throws StartFailure {
        if (value != null && value.matches("[0-9]{1,10}") && Long.parseLong(value) <= Integer.MAX_VALUE) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        throw new StartFailure(ExitCode.USAGE, "-o " + key + (value == null ? "" : "=" + value) + ": expected a "
                + "whole number of seconds (0 turns the audit off), e.g. -o " + key + "=300");
    }

    /**
     * A size in bytes, with an optional K, M or G (1024, 1024², 1024³), from
     * {@value #MIN_RECEIVE_BUFFER_BYTES} to {@value #MAX_RECEIVE_BUFFER_BYTES}.
     */
    private static int bytes(String key, String value) throws StartFailure {
        String usage = "-o " + key + (value == null ? "" : "=" + value) + ": ";
        if (value == null || !value.matches("[0-9]{1,10}[KkMmGg]?")) {
            throw new StartFailure(ExitCode.USAGE, usage + "expected a size in bytes, with an optional K, M or G, "
                    + "e.g. -o " + key + "=64M");
        }
        char unit = Character.toUpperCase(value.charAt(value.length() - 1));
        int shift = switch (unit) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        long size = Long.parseLong(shift == 0 ? value : value.substring(0, value.length() - 1));
        if (size > (long) MAX_RECEIVE_BUFFER_BYTES >> shift) {
            throw new StartFailure(ExitCode.USAGE, usage + "the kernel allows at most 1G");
        }
        size <<= shift;
        if (size < MIN_RECEIVE_BUFFER_BYTES) {
            String meant = shift == 0 && size > 0 && size <= MAX_RECEIVE_BUFFER_BYTES >> 20
                    ? " (for " + size + " MiB: -o " + key + "=" + size + "M)" : "";
            throw new StartFailure(ExitCode.USAGE, usage + size + " bytes would hold some "
                    + 2 * size / QUEUED_EVENT_BYTES + " events; give at least 64K" + meant);
        }
        return (int) size;
    }

    /** Whether libfuse was told it may mount over files ({@code -o nonempty}). */
    public boolean nonEmptyAllowed() {
        return fuseOptions.contains("nonempty");
    }

    /** Whether the rules come from standard input ({@code -o config_file=-}). */
    public boolean configFromStandardInput() {
        return configFile != null && configFile.toString().equals("-");
    }

    /** What follows the mountpoint in libfuse's argv. */
    List<String> libfuseArguments() {
        List<String> options = new ArrayList<>(fuseOptions.contains("allow_other") ? FIXED_OPTIONS
                : fixedOptions(ROOT_ONLY_ENTRY_TIMEOUT));
        options.addAll(fuseOptions);
        List<String> args = new ArrayList<>(List.of("-o", String.join(",", options)));
        if (singleThreaded) {
            args.add("-s");
        }
        return args;
    }

    /**
     * The arguments that run these settings in the foreground, with every path absolute:
     * how a background start runs the daemon itself, whose working directory is {@code /}.
     */
    public List<String> foregroundArguments() {
        List<String> args = new ArrayList<>(List.of("-f"));
        if (configFile != null) {
            args.add("-o");
            args.add(CONFIG_FILE + "=" + configFile);
        }
        args.add("-o");
        args.add(LOG_FILE + "=" + logFile);
        args.add("-o");
        args.add(AUDIT_INTERVAL + "=" + auditInterval.toSeconds());
        args.add("-o");
        args.add(RECEIVE_BUFFER + "=" + receiveBufferBytes);
        args.add("-o");
        args.add(MAX_TEMPLATED + "=" + maxTemplated);
        if (metrics != null) {
            args.add("-o");
            args.add(METRICS + "=" + metrics);
        }
        for (String option : fuseOptions) {
            args.add("-o");
            args.add(option);
        }
        if (debug) {
            args.add("-d");
        }
        if (singleThreaded) {
            args.add("-s");
        }
        args.add("--");
        args.add(mountPoint.path().toString());
        return args;
    }
}
