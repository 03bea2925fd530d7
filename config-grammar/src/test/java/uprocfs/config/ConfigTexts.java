package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import uprocfs.core.rule.RuleSpec;

/** Loading configuration text in tests, and showing rules compactly. */
final class ConfigTexts {

    static final String FILE = "t.conf";

    private ConfigTexts() {
    }

    static LoadedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(FILE, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The messages of a configuration that must fail, one per error, rendered. */
    static List<String> errors(byte[] content) {
        ConfigException failure = assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, content));
        return failure.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    static List<String> errors(String text) {
        return errors(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A rule as {@code name[uid=..,gid=..,cmd=..]@line}, showing only the keys it has. */
    static String show(RuleSpec rule) {
        StringBuilder text = new StringBuilder(rule.name()).append('[');
        String sep = "";
        if (rule.hasUid()) {
            text.append("uid=").append(rule.uid());
            sep = ",";
        }
        if (rule.hasGid()) {
            text.append(sep).append("gid=").append(rule.gid());
            sep = ",";
        }
        if (rule.hasCmd()) {
            text.append(sep).append("cmd=").append(rule.cmd());
        }
        return text.append("]@").append(rule.line()).toString();
    }

    static List<String> shown(LoadedConfig config) {
        return config.rules().rules().stream().map(ConfigTexts::show).collect(Collectors.toList());
    }
}
