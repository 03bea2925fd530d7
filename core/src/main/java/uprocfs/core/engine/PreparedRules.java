package uprocfs.core.engine;

import java.util.HashSet;
import java.util.Set;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;

/**
 * A configuration made ready to swap in: its rules checked and its index built. This is the
 * slow part of a reload (100,000 rules take a cold JVM a good fraction of a second), so it is
 * done by whoever asks for the swap, on their thread; the event loop only fills the new sets
 * from the processes it knows and publishes them (docs/ARCHITECTURE.md, "Commands").
 */
public final class PreparedRules {
    private final RuleSet rules;
    private final RuleIndex index;

    private PreparedRules(RuleSet rules, RuleIndex index) {
        this.rules = rules;
        this.index = index;
    }

    /**
     * Checks and indexes {@code rules}.
     *
     * @throws IllegalArgumentException if two rules share a name
     */
    public static PreparedRules of(RuleSet rules) {
        Set<String> names = new HashSet<>(rules.size() * 2);
        for (RuleSpec r : rules.rules()) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("duplicate namespace name: " + r.name());
            }
        }
        return new PreparedRules(rules, new RuleIndex(rules.rules()));
    }

    public RuleSet rules() {
        return rules;
    }

    RuleIndex index() {
        return index;
    }
}
