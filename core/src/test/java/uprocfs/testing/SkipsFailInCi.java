package uprocfs.testing;

import java.io.PrintStream;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * A test that skips itself (an assumption that does not hold: not root, no /dev/fuse, no
 * gcc) is a failure under CI: {@code .ci/run} runs as root after {@code tools/install-deps},
 * so there every test can run, and a skip would only hide a broken setup behind a green
 * build. Anywhere else, a developer's {@code mvn install} as a user, say, the test is
 * skipped and the reason printed, since surefire itself only counts skips.
 *
 * <p>Registered for every module's tests through {@code META-INF/services} (this module's
 * test-jar) and {@code junit.jupiter.extensions.autodetection.enabled} (the parent pom).
 */
public final class SkipsFailInCi implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    /** The environment variable CI systems set, and {@code .ci/run} too. */
    static final String VARIABLE = "CI";

    private final boolean ci;
    private final PrintStream notes;

    public SkipsFailInCi() {
        this(System.getenv(VARIABLE), System.out);
    }

    /** {@code variable}: the value of {@value #VARIABLE}; {@code notes}: where a skip's reason goes. */
    SkipsFailInCi(String variable, PrintStream notes) {
        this.ci = variable != null && (variable.equalsIgnoreCase("true") || variable.equals("1"));
        this.notes = notes;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw judged(name(context), thrown);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable thrown)
            throws Throwable {
        throw judged(name(context), thrown);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable thrown)
            throws Throwable {
        throw judged(name(context), thrown);
    }

    /**
     * What to throw instead of {@code thrown}: under CI, a failure in place of a skip; else
     * {@code thrown} itself, a skip's reason printed first.
     */
    Throwable judged(String test, Throwable thrown) {
        if (!(thrown instanceof TestAbortedException)) {
            return thrown;
        }
        if (ci) {
            return new AssertionFailedError(test + " would be skipped, and under " + VARIABLE + "=true a skip is a "
                    + "failure (CI runs as root after tools/install-deps, so every test can run: fix the machine's "
                    + "setup, not the test): " + thrown.getMessage(), thrown);
        }
        notes.println("[uprocfs] skipped " + test + ": " + thrown.getMessage());
        return thrown;
    }

    private static String name(ExtensionContext context) {
        String test = context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName());
        return test + context.getTestMethod().map(Method::getName).map(m -> "." + m).orElse("");
    }
}
