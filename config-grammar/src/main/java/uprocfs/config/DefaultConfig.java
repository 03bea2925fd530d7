package uprocfs.config;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import uprocfs.core.rule.RuleSpec;

/**
 * The configuration used when there is no {@code /etc/uproc.conf}: one namespace per
 * user, {@code uid.<user>}, and one per group, {@code gid.<group>}, the same as
 * {@code tools/uproc-config} prints.
 *
 * <p>The rules are written out as configuration text and read back by
 * {@link ConfigLoader}, so a default configuration obeys exactly the rules a written
 * one does. Accounts whose name would not make a safe, single-word file name are left
 * out with a warning rather than failing the whole configuration, as are names listed
 * twice (a user both in {@code /etc/passwd} and in LDAP, say).
 */
public final class DefaultConfig {

    private static final List<String> GETENT_PASSWD = List.of("getent", "passwd");
    private static final List<String> GETENT_GROUP = List.of("getent", "group");
    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    private DefaultConfig() {
    }

    /**
     * Builds the default configuration from {@code getent passwd} and {@code getent group},
     * or from {@code /etc/passwd} and {@code /etc/group} when getent does not work.
     * Its rule set is named {@code default (getent passwd, getent group)} or after the
     * files used.
     *
     * @throws ConfigException when neither getent nor the files list accounts
     */
    public static LoadedConfig load() throws ConfigException {
        return load(GETENT_PASSWD, GETENT_GROUP);
    }

    /** {@link #load()} with other commands than getent, so the fallback can be tested. */
    static LoadedConfig load(List<String> passwdCommand, List<String> groupCommand) throws ConfigException {
        Diagnostics accountWarnings = new Diagnostics("default");
        AccountDatabase passwd = AccountDatabase.read(passwdCommand, PASSWD, accountWarnings);
        AccountDatabase group = AccountDatabase.read(groupCommand, GROUP, accountWarnings);
        LoadedConfig built = fromDatabases(passwd.source(), passwd.content(), group.source(), group.content());
        if (accountWarnings.warnings().isEmpty()) {
            return built;
        }
        List<String> warnings = new ArrayList<>(accountWarnings.warnings());
        warnings.addAll(built.warnings());
        return new LoadedConfig(built.rules(), warnings);
    }

    /**
     * Builds the default configuration from the text of a user and a group database
     * (passwd(5) and group(5) format: {@code name:password:id:...}).
     *
     * @param passwdSource how warnings name the user database, e.g. {@code getent passwd}
     * @param groupSource  how warnings name the group database
     */
    public static LoadedConfig fromDatabases(String passwdSource, byte[] passwd, String groupSource, byte[] group)
            throws ConfigException {
        String source = "default (" + passwdSource + ", " + groupSource + ")";
        Diagnostics generation = new Diagnostics(source);
        StringBuilder text = new StringBuilder();
        appendRules(text, "uid", "user", passwdSource, passwd, generation);
        appendRules(text, "gid", "group", groupSource, group, generation);
        LoadedConfig loaded = ConfigLoader.parse(source, text.toString().getBytes(StandardCharsets.UTF_8));
        List<String> warnings = new ArrayList<>(generation.warnings());
        warnings.addAll(loaded.warnings());
        return new LoadedConfig(loaded.rules(), warnings);
    }

    /**
     * Appends {@code <key> <id> <key>.<name>} for every usable entry of {@code database}.
     * The checks mirror what the loader would refuse, so that one bad account costs one
     * warning here instead of the whole default configuration there.
     */
    private static void appendRules(StringBuilder text, String key, String kind, String source, byte[] database,
                                    Diagnostics warnings) {
        Map<String, Integer> seenAt = new HashMap<>();
        int lineNumber = 0;
        int start = 0;
        while (start < database.length) {
            int end = start;
            while (end < database.length && database[end] != '\n') {
                end++;
            }
            lineNumber++;
            String skip = appendRule(text, key, kind, database, start, end, lineNumber, seenAt);
            if (skip != null) {
                warnings.warning(new ConfigError(source, lineNumber, 1, "warning: " + skip).toString());
            }
            start = end + 1;
        }
    }

    /** Appends the rule for one database line; returns why it was skipped, or null. */
    private static String appendRule(StringBuilder text, String key, String kind, byte[] database, int start,
                                     int end, int lineNumber, Map<String, Integer> seenAt) {
        if (start == end) {
            return null;
        }
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(database, start, end - start))
                    .toString();
        } catch (CharacterCodingException e) {
            return "skipping " + kind + " entry: it is not valid UTF-8, which no config file can name";
        }
        String[] fields = line.split(":", 4);
        if (fields.length < 3) {
            return "skipping " + kind + " " + Diagnostics.quote(line) + ": not an entry (name:password:id:...)";
        }
        String name = fields[0];
        String id = fields[2];
        if (name.isEmpty()) {
            return "skipping " + kind + " entry: its name is empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '#' || c == ';') {
                return "skipping " + kind + " " + Diagnostics.quote(name) + ": its name contains "
                        + Diagnostics.quote(String.valueOf(c)) + ", which would split or end the rule";
            }
        }
        String namespace = key + "." + name;
        NamespaceName.Problem problem = NamespaceName.check(namespace);
        if (problem != null) {
            return "skipping " + kind + " " + Diagnostics.quote(name) + ": " + problem.message();
        }
        long number = parseId(id);
        if (number < 0) {
            return "skipping " + kind + " " + Diagnostics.quote(name) + ": its id " + Diagnostics.quote(id)
                    + " is not a number from 0 to " + RuleSpec.MAX_ID;
        }
        Integer first = seenAt.putIfAbsent(name, lineNumber);
        if (first != null) {
            return "skipping " + kind + " " + Diagnostics.quote(name) + ": listed again (first at line " + first
                    + "); the first entry counts, as it does for the system";
        }
        text.append(key).append(' ').append(number).append(' ').append(namespace).append('\n');
        return null;
    }

    /** The id in {@code text}, or -1 when it is not a plain decimal id a rule can name. */
    private static long parseId(String text) {
        if (text.isEmpty() || text.length() > 10) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        long id = Long.parseLong(text);
        return id <= RuleSpec.MAX_ID ? id : -1;
    }
}
