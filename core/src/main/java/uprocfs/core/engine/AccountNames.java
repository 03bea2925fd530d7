package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;

/**
 * The names of users and groups the templated rules have needed, kept by the event loop
 * across reloads. A name is asked for once; an id without a name is shown as its number, and
 * asked about again when a new file needs it after {@link #RETRY_MILLIS} (an account created
 * since, e.g. in a directory service, then gets its name without a reload). Loop only.
 */
final class AccountNames {
    /** How long "this id has no name" is believed. */
    static final long RETRY_MILLIS = 30_000;

    private final AccountLookup lookup;
    private final AccountLookup.Answer answer;
    private final Int2ObjectOpenHashMap<String> users = new Int2ObjectOpenHashMap<>();
    private final Int2ObjectOpenHashMap<String> groups = new Int2ObjectOpenHashMap<>();
    private final Int2LongOpenHashMap usersNumericSince = new Int2LongOpenHashMap();
    private final Int2LongOpenHashMap groupsNumericSince = new Int2LongOpenHashMap();
    private final IntOpenHashSet usersAsked = new IntOpenHashSet();
    private final IntOpenHashSet groupsAsked = new IntOpenHashSet();

    AccountNames(AccountLookup lookup, AccountLookup.Answer answer) {
        this.lookup = lookup;
        this.answer = answer;
    }

    /** The name to show for {@code id}, or {@code null} while it is being looked up (asked now if need be). */
    String name(boolean group, int id, long nowMillis) {
        Int2ObjectOpenHashMap<String> names = group ? groups : users;
        Int2LongOpenHashMap numericSince = group ? groupsNumericSince : usersNumericSince;
        String known = names.get(id);
        if (known != null && (!numericSince.containsKey(id) || nowMillis - numericSince.get(id) < RETRY_MILLIS)) {
            return known;
        }
        IntOpenHashSet asked = group ? groupsAsked : usersAsked;
        if (asked.add(id)) {
            lookup.request(group, id, answer);
        }
        return null;
    }

    /** An answer has come: {@code name} null means the id has none. */
    void answered(boolean group, int id, String name, long nowMillis) {
        (group ? groupsAsked : usersAsked).remove(id);
        Int2LongOpenHashMap numericSince = group ? groupsNumericSince : usersNumericSince;
        if (name == null || name.isEmpty()) {
            (group ? groups : users).put(id, Integer.toUnsignedString(id));
            numericSince.put(id, nowMillis);
        } else {
            (group ? groups : users).put(id, name);
            numericSince.remove(id);
        }
    }
}
