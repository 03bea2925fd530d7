package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration the daemon uses when /etc/uproc.conf does not exist. */
class DefaultConfigTest {

    static final String PASSWD = String.join("\n",
            "root:x:0:0:root:/root:/bin/bash",
            "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
            "alice:x:1000:1000:Alice:/home/alice:/bin/bash",
            "jørgen:x:1001:1001::/home/jørgen:/bin/bash",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
            "") + "\n";

    static final String GROUP = String.join("\n",
            "root:x:0:",
            "backup:x:34:",
            "users:x:100:alice,jørgen",
            "");

    @Test
    void everyUserAndGroupGetsANamespace() throws ConfigException {
        LoadedConfig config = DefaultConfig.fromDatabases("getent passwd", utf8(PASSWD), "getent group", utf8(GROUP));
        assertEquals(List.of("uid.root[uid=0]@1", "uid.daemon[uid=1]@2", "uid.alice[uid=1000]@3",
                        "uid.jørgen[uid=1001]@4", "uid.nobody[uid=65534]@5",
                        "gid.root[gid=0]@6", "gid.backup[gid=34]@7", "gid.users[gid=100]@8"),
                ConfigTexts.shown(config));
        assertEquals(List.of(), config.warnings());
        assertEquals("default (getent passwd, getent group)", config.rules().source());
    }

    @Test
    void unsafeNamesAreSkippedWithAWarningEach() throws ConfigException {
        String passwd = String.join("\n",
                "root:x:0:0::/root:/bin/sh",
                "two words:x:5:5::/:/bin/sh",
                "tab\tbed:x:5:5::/:/bin/sh",
                "hash#:x:6:6::/:/bin/sh",
                "semi;colon:x:6:6::/:/bin/sh",
                "sl/ash:x:7:7::/:/bin/sh",
                "bell\u0007:x:8:8::/:/bin/sh",
                "n".repeat(252) + ":x:9:9::/:/bin/sh",
                ":x:10:10::/:/bin/sh",
                "huge:x:4294967295:1::/:/bin/sh",
                "negative:x:-1:1::/:/bin/sh",
                "nis",
                "root:x:99:0::/:/bin/sh",
                ".dot:x:11:11::/:/bin/sh",
                "zeros:x:0042:1::/:/bin/sh");
        byte[] bytes = concat(utf8(passwd + "\n"), new byte[] {(byte) 0xFF, ':', 'x', ':', '1', '2', ':', '\n'});
        LoadedConfig config = DefaultConfig.fromDatabases("getent passwd", bytes, "getent group", utf8("root:x:0:\n"));
        assertEquals(List.of("uid.root[uid=0]@1", "uid..dot[uid=11]@2", "uid.zeros[uid=42]@3", "gid.root[gid=0]@4"),
                ConfigTexts.shown(config));
        assertEquals(List.of(
                "getent passwd:2:1: warning: skipping user 'two words': its name contains ' ',"
                        + " which would split or end the rule",
                "getent passwd:3:1: warning: skipping user 'tab\\x09bed': its name contains '\\x09',"
                        + " which would split or end the rule",
                "getent passwd:4:1: warning: skipping user 'hash#': its name contains '#',"
                        + " which would split or end the rule",
                "getent passwd:5:1: warning: skipping user 'semi;colon': its name contains ';',"
                        + " which would split or end the rule",
                "getent passwd:6:1: warning: skipping user 'sl/ash': namespace name 'uid.sl/ash' contains '/':"
                        + " a name is a single file name, use '.' or '-' to structure it",
                "getent passwd:7:1: warning: skipping user 'bell\\x07': namespace name 'uid.bell\\x07' contains"
                        + " control character \\x07: remove it",
                "getent passwd:8:1: warning: skipping user '" + "n".repeat(64) + "...': namespace name 'uid."
                        + "n".repeat(60) + "...' is 256 bytes long: a file name has at most 255 bytes, shorten it",
                "getent passwd:9:1: warning: skipping user entry: its name is empty",
                "getent passwd:10:1: warning: skipping user 'huge': its id '4294967295' is not a number"
                        + " from 0 to 4294967294",
                "getent passwd:11:1: warning: skipping user 'negative': its id '-1' is not a number"
                        + " from 0 to 4294967294",
                "getent passwd:12:1: warning: skipping user 'nis': not an entry (name:password:id:...)",
                "getent passwd:13:1: warning: skipping user 'root': listed again (first at line 1);"
                        + " the first entry counts, as it does for the system",
                "getent passwd:16:1: warning: skipping user entry: it is not valid UTF-8,"
                        + " which no config file can name"),
                config.warnings());
    }

    @Test
    void aUserAndAGroupOfTheSameNameAreDifferentNamespaces() throws ConfigException {
        LoadedConfig config = DefaultConfig.fromDatabases("p", utf8("alice:x:1000:1000::/:\n"), "g",
                utf8("alice:x:1000:\n"));
        assertEquals(List.of("uid.alice[uid=1000]@1", "gid.alice[gid=1000]@2"), ConfigTexts.shown(config));
    }

    @Test
    void emptyDatabasesGiveAnEmptyConfigurationWithAWarning() throws ConfigException {
        LoadedConfig config = DefaultConfig.fromDatabases("p", new byte[0], "g", new byte[0]);
        assertEquals(0, config.rules().size());
        assertEquals(List.of("default (p, g):1:1: warning: no rules: the mount will be empty;"
                + " add a rule such as 'uid 1000 uid.alice'"), config.warnings());
    }

    @Test
    void thisMachinesAccountsIncludeRoot() throws ConfigException {
        LoadedConfig config = DefaultConfig.load();
        assertEquals("default (getent passwd, getent group)", config.rules().source());
        List<String> rules = ConfigTexts.shown(config);
        assertTrue(rules.stream().anyMatch(r -> r.startsWith("uid.root[uid=0]@")), rules.toString());
        assertTrue(rules.stream().anyMatch(r -> r.startsWith("gid.root[gid=0]@")), rules.toString());
    }

    @Test
    void withoutGetentTheFilesInEtcAreRead() throws ConfigException {
        LoadedConfig config = DefaultConfig.load(List.of("/nonexistent/getent", "passwd"), List.of("false"));
        assertEquals("default (/etc/passwd, /etc/group)", config.rules().source());
        List<String> rules = ConfigTexts.shown(config);
        assertTrue(rules.stream().anyMatch(r -> r.startsWith("uid.root[uid=0]@")), rules.toString());
        assertTrue(rules.stream().anyMatch(r -> r.startsWith("gid.root[gid=0]@")), rules.toString());
        List<String> warnings = config.warnings();
        assertTrue(warnings.get(0).startsWith("/nonexistent/getent passwd: warning: cannot run: "), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("; reading /etc/passwd instead, so users and groups known only to a"
                + " directory service get no namespace"), warnings.get(0));
        assertEquals("false: warning: exited with status 1; reading /etc/group instead, so users and groups"
                + " known only to a directory service get no namespace", warnings.get(1));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
