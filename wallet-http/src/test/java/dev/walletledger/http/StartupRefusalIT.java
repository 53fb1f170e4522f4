package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup promise, on the built jar: a refused setting stops the server with exit code 2 and one line that
 * names the variable given, before the data directory or any database is touched.
 */
class StartupRefusalIT {
    @TempDir
    Path directory;

    @Test
    void everyRefusedSettingExitsTwoWithOneLineNamingIt() throws Exception {
        String[][] cases = {
            {"HOST", "0.0.0.0"},
            {"PORT", "abc"},
            {"PORT", "70000"},
            {"WALLET_POOL_SIZE", "0"},
            {"WALLET_ISOLATION", "snapshot"},
            {"WALLET_SCHEMA", "Bad-Schema"},
            {"WALLET_ALLOW_NO_AUTH", "yes"},
            {"WALLET_API_KEYS", "svc read"},
            {"WALLET_API_KEYS_FILE", "/no/such/keys"},
            {"WALLET_TOKEN_KEYS_FILE", "/no/such/jwks.json"},
            {"WALLET_TOKEN_MAX_TTL_SECONDS", "0"},
            {"WALLET_TLS_CERT", "/no/such/cert.pem"},
            {"WALLET_WAL_ARCHIVE_MAX_BYTES", "1"},
            {"DATABASE_URL", "mysql://x"},
            {"LOG_LEVEL", "loud"},
        };
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.length; i++) {
            String variable = cases[i][0];
            Path data = directory.resolve("data-" + i);
            Path log = directory.resolve("case-" + i + ".log");
            Map<String, String> environment = new java.util.HashMap<>(Map.of("WALLET_DATA_DIR", data.toString()));
            environment.putIfAbsent("PORT", "0");
            environment.put(variable, cases[i][1]);
            Process server = ServerJar.start(environment, "128m", log);
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                failures.add(variable + ": still running after 60 s");
                continue;
            }
            List<String> lines = Files.readAllLines(log);
            String what = variable + "=" + cases[i][1] + " -> exit " + server.exitValue() + ", " + lines;
            if (server.exitValue() != 2
                    || lines.size() != 1
                    || !lines.get(0).startsWith("wallet-server: ")
                    || !lines.get(0).contains(variable)
                    || Files.exists(data)) {
                failures.add(what);
            }
        }
        assertEquals(List.of(), failures);
    }
}
