package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static uprocfs.config.ConfigTexts.load;
import static uprocfs.config.ConfigTexts.shown;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Configurations that load but deserve a second look. */
class ConfigWarningsTest {

    @Test
    void cmdLongerThanTheKernelKeepsIsAWarningWithTheCommThatWouldShow() throws ConfigException {
        LoadedConfig config = load("uid 1 a\ncmd averyveryverylongcommand x\n");
        assertEquals(List.of("a[uid=1]@1", "x[cmd=averyveryverylongcommand]@2"), shown(config));
        assertEquals(List.of("t.conf:2:5: warning: cmd 'averyveryverylongcommand' can never match:"
                + " the kernel keeps at most 15 bytes of a command name"
                + " (a process running it shows as 'averyveryverylo')"), config.warnings());
    }

    @Test
    void cmdCutInsideACharacterGetsNoSuggestion() throws ConfigException {
        // 7 two-byte characters and one more: the 15-byte cut falls inside the eighth.
        assertEquals(List.of("t.conf:1:11: warning: cmd 'øøøøøøøø' can never match:"
                        + " the kernel keeps at most 15 bytes of a command name"),
                load("uid 0 cmd øøøøøøøø x").warnings());
    }

    @Test
    void emptyConfigurationLoadsWithAWarning() throws ConfigException {
        for (String empty : List.of("", "\n\n", "# nothing here\n; nor here\n", "  \t\r\n")) {
            LoadedConfig config = load(empty);
            assertEquals(0, config.rules().size());
            assertEquals(List.of("t.conf:1:1: warning: no rules: the mount will be empty;"
                    + " add a rule such as 'uid 1000 uid.alice'"), config.warnings());
        }
    }

    @Test
    void nameSpelledLikeAKeyIsAcceptedAsTheOriginalDidButWarned() throws ConfigException {
        LoadedConfig config = load("uid 1000 gid\n");
        assertEquals(List.of("gid[uid=1000]@1"), shown(config));
        assertEquals(List.of("t.conf:1:10: warning: namespace name 'gid' is also a key: if a gid condition was"
                + " meant, its value and the name are missing"), config.warnings());
    }

    @Test
    void warningsAreCappedButCounted() throws ConfigException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Diagnostics.KEPT + 5; i++) {
            text.append("cmd a-command-too-long n").append(i).append('\n');
        }
        List<String> warnings = load(text.toString()).warnings();
        assertEquals(Diagnostics.KEPT + 1, warnings.size());
        assertEquals("t.conf: and 5 more warnings", warnings.get(Diagnostics.KEPT));
    }
}
