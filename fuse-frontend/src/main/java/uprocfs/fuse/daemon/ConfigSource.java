package uprocfs.fuse.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import uprocfs.config.ConfigException;
import uprocfs.config.ConfigLoader;
import uprocfs.config.DefaultConfig;
import uprocfs.config.LoadedConfig;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;

/**
 * Where the rules come from, read the same way at startup and on every SIGHUP: the file
 * given with {@code -o config_file}, else {@code /etc/uproc.conf}, else (when that does not
 * exist) one namespace per user and per group of the system, as the original's helper
 * script would have written.
 */
public final class ConfigSource {
    private final Path explicit;
    private final Path defaultFile;

    /** Rules from {@code explicit}, or from the default places when it is {@code null}. */
    public ConfigSource(Path explicit) {
        this(explicit, DaemonSettings.DEFAULT_CONFIG);
    }

    ConfigSource(Path explicit, Path defaultFile) {
        this.explicit = explicit;
        this.defaultFile = defaultFile;
    }

    /**
     * Reads the rules, logging the loader's warnings.
     *
     * @throws StartFailure ({@link ExitCode#CONFIG}) with the loader's {@code FILE:LINE:COL:}
     *                      lines; an explicitly named file that is missing is such an error
     */
    public LoadedConfig load(DaemonLog log) throws StartFailure {
        LoadedConfig loaded;
        try {
            if (explicit != null) {
                loaded = ConfigLoader.load(explicit);
            } else if (Files.exists(defaultFile)) {
                loaded = ConfigLoader.load(defaultFile);
            } else {
                log.info(defaultFile + " does not exist: using one namespace per user (uid.NAME) and per group "
                        + "(gid.NAME); to choose your own, write " + defaultFile + " (tools/uproc-config prints a start)"
                        + " or pass -o config_file=FILE");
                loaded = DefaultConfig.load();
            }
        } catch (ConfigException e) {
            throw new StartFailure(ExitCode.CONFIG, e.getMessage(), e);
        }
        for (String warning : loaded.warnings()) {
            log.info(warning);
        }
        return loaded;
    }
}
