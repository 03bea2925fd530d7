package uprocfs.config;

import java.util.List;
import uprocfs.core.rule.RuleSet;

/**
 * A configuration that can be used, and what in it deserves a look.
 *
 * @param rules    the rules, in file order, names unique
 * @param warnings rendered as {@code FILE:LINE:COL: warning: message}, in file order;
 *                 for example a cmd longer than the kernel's 15-byte comm
 */
public record LoadedConfig(RuleSet rules, List<String> warnings) {
    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }
}
