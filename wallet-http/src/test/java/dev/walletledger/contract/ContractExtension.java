package dev.walletledger.contract;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when any exchange it caused departed from {@code openapi.json} (see {@link OpenApiContract}).
 * Registered for every test of this module by JUnit's extension auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}, enabled in
 * {@code junit-platform.properties}), so no HTTP test can forget it.
 */
public final class ContractExtension implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        OpenApiContract.drain(); // whatever a previous test's stray threads recorded is not this test's
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> violations = OpenApiContract.drain();
        if (!violations.isEmpty()) {
            throw new AssertionError(
                    violations.size() + " answer(s) departed from openapi.json:\n  " + String.join("\n  ", violations));
        }
    }
}
