package uprocfs.core.rule;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One line of the configuration: the conditions a process must meet (all of them) to
 * be listed in the namespace {@code name}.
 *
 * <p>Ids are the kernel's unsigned 32-bit values, kept here as {@code long}; {@link #ANY}
 * means the key was not given. {@code cmd} is {@code null} when not given; it is compared
 * with the kernel's comm as bytes (UTF-8 of the configured text), see {@link #cmdKey()}.
 *
 * @param name namespace (file) name, already validated by the loader
 * @param uid  effective uid to match, or {@link #ANY}
 * @param gid  effective gid to match, or {@link #ANY}
 * @param cmd  command name (comm) to match, or {@code null}
 * @param line line of the configuration the rule came from (1-based), 0 when synthetic
 * @param more the conditions the original never had (templates, trees, executables,
 *             command lines); {@link More#NONE} for a rule of the original's kind
 */
public record RuleSpec(String name, long uid, long gid, String cmd, int line, More more) {

    /**
     * The rest of a rule.
     *
     * @param anyUid {@code uid *}: one file per uid; the name holds {uid} or {user}
     * @param anyGid {@code gid *}: one file per gid; the name holds {gid} or {group}
     * @param anyCmd {@code cmd *}: one file per command name; the name holds {cmd}
     * @param under  {@code under NAME}: only members of the fixed namespace NAME and every
     *               process started by one, at any depth; {@code null} when not given
     * @param exe    {@code exe PATH}: only processes whose /proc/PID/exe is PATH, or {@code null}
     * @param args   {@code args "REGEX"}: only processes whose command line (arguments joined
     *               by single spaces) has a match of REGEX (RE2 syntax), or {@code null}
     */
    public record More(boolean anyUid, boolean anyGid, boolean anyCmd, String under, String exe, String args) {
        /** None of it: a rule of the original's kind. */
        public static final More NONE = new More(false, false, false, null, null, null);

        /** Whether the rule makes one file per distinct value of its {@code *} keys. */
        public boolean templated() {
            return anyUid || anyGid || anyCmd;
        }

        boolean any() {
            return templated() || under != null || exe != null || args != null;
        }
    }

    /** A rule of the original's kind: uid, gid and cmd only. */
    public RuleSpec(String name, long uid, long gid, String cmd, int line) {
        this(name, uid, gid, cmd, line, More.NONE);
    }

    /** The key was not given in the rule. */
    public static final long ANY = -1;

    /** (uid_t)-1 is "no id" to the kernel, so the largest id a rule may name is one less. */
    public static final long MAX_ID = 0xFFFF_FFFEL;

    /** The kernel's comm holds at most 15 bytes (TASK_COMM_LEN 16 with the NUL). */
    public static final int COMM_MAX_BYTES = 15;

    public RuleSpec {
        Objects.requireNonNull(name, "name");
        if (uid != ANY && (uid < 0 || uid > MAX_ID)) {
            throw new IllegalArgumentException("uid out of range: " + uid);
        }
        if (gid != ANY && (gid < 0 || gid > MAX_ID)) {
            throw new IllegalArgumentException("gid out of range: " + gid);
        }
        Objects.requireNonNull(more, "more");
        if (uid == ANY && gid == ANY && cmd == null && !more.any()) {
            throw new IllegalArgumentException("a rule needs at least one condition: " + name);
        }
        if ((more.anyUid && uid != ANY) || (more.anyGid && gid != ANY) || (more.anyCmd && cmd != null)) {
            throw new IllegalArgumentException("a key is either * or a value: " + name);
        }
    }

    /** Whether the rule makes one file per distinct value (its name is a {@link NameTemplate}). */
    public boolean templated() {
        return more.templated();
    }

    public boolean hasUid() {
        return uid != ANY;
    }

    public boolean hasGid() {
        return gid != ANY;
    }

    public boolean hasCmd() {
        return cmd != null;
    }

    /**
     * The cmd value as the engine compares it: its UTF-8 bytes, one char per byte
     * (ISO-8859-1), so that a comm read from the kernel byte for byte compares equal.
     */
    public String cmdKey() {
        return cmd == null ? null : new String(cmd.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** True when {@code cmd} is longer than a comm can ever be, so the rule can never match. */
    public boolean cmdTooLong() {
        return cmd != null && cmd.getBytes(StandardCharsets.UTF_8).length > COMM_MAX_BYTES;
    }
}
