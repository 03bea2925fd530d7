package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** "-" means standard input, named {@code <stdin>} in messages. */
@Isolated
class StandardInputTest {

    @Test
    void dashReadsStandardInputWithoutFileChecks() throws ConfigException {
        LoadedConfig config = withStdin("uid 1 from.stdin\n",
                () -> ConfigLoader.load(Path.of("-"), ConfigFileCheck.forEffectiveUid(0)));
        assertEquals(List.of("from.stdin[uid=1]@1"), ConfigTexts.shown(config));
        assertEquals("-", config.rules().source());
    }

    @Test
    void errorsFromStandardInputAreNamedStdin() {
        ConfigException failure = assertThrows(ConfigException.class,
                () -> withStdin("uid 1\n", () -> ConfigLoader.load(Path.of("-"))));
        assertEquals("<stdin>:1:6: missing namespace name after 'uid 1': end the rule with the name of its file",
                failure.getMessage());
    }

    @Test
    void anyStreamCanBeReadUnderAGivenName() throws ConfigException {
        InputStream in = new ByteArrayInputStream("gid 5 g\n".getBytes(StandardCharsets.UTF_8));
        LoadedConfig config = ConfigLoader.read("pipe", in);
        assertEquals(List.of("g[gid=5]@1"), ConfigTexts.shown(config));
        assertEquals("pipe", config.rules().source());
    }

    private interface Load {
        LoadedConfig run() throws ConfigException;
    }

    private static LoadedConfig withStdin(String text, Load load) throws ConfigException {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return load.run();
        } finally {
            System.setIn(saved);
        }
    }
}
