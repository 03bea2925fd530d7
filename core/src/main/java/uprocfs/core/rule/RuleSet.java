package uprocfs.core.rule;

import java.time.Instant;
import java.util.List;

/**
 * A whole configuration: the rules in file order, where they came from and when they
 * were read. Immutable; a reload builds a new one and swaps it in.
 *
 * @param source   the file name as given (or "-" for standard input, or a description
 *                 such as "default (users and groups)")
 * @param loadedAt when the text was read
 * @param rules    rules in file order; names are unique
 */
public record RuleSet(String source, Instant loadedAt, List<RuleSpec> rules) {
    public RuleSet {
        rules = List.copyOf(rules);
    }

    public int size() {
        return rules.size();
    }
}
