package dev.walletledger.cli;

import dev.walletledger.http.Scope;
import dev.walletledger.runtime.ApiKeyHash;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code wallet keys generate}: a new API key for the server, printed once, and the line that configures
 * its salted hash. The format is the server's ({@code dev.walletledger.http.ApiKeys}):
 * {@code wlk_<id>.<43 base64url chars of 32 random bytes>}, and
 * {@code <id> <scopes> sha256:<salt hex>:<SHA-256(salt || key) hex>}. A golden vector in both modules'
 * tests keeps the two in step. Needs no database.
 */
final class KeysGenerateCommand implements Command {
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final List<String> SCOPES = List.of("read", "write", "admin", "support");
    private static final Synopsis SYNOPSIS = new Synopsis(
            "keys generate",
            "make an API key for the server (printed once) and its hashed line",
            "wallet keys generate --id ID --scopes SCOPES",
            """
            Prints a new random API key and the line to add to the server's WALLET_API_KEYS_FILE, which
            the server re-reads within 2 s of a change (WALLET_API_KEYS needs a restart). The key is shown
            only now: the server keeps its salted SHA-256, never the key. Clients send it as
            "Authorization: Bearer <key>", and the server's logs name it by its id. To revoke a key, delete
            its line from the file. A route lists the scopes that open it, any one of them; scopes are
            independent (admin does not imply read or write):
            """ + scopeLines(),
            List.of(),
            0,
            List.of(
                    Args.Option.value("--id", "ID", "the key's name in logs: 1-64 of A-Z, a-z, 0-9, _ and -"),
                    Args.Option.value(
                            "--scopes", "SCOPES", "comma-separated: read, write, admin, support (read,write)")));

    private final SecureRandom random;

    /** One line per scope: what it opens, in the server's words ({@link Scope#grants()}). */
    private static String scopeLines() {
        StringBuilder lines = new StringBuilder();
        for (Scope scope : Scope.values()) {
            lines.append(lines.length() == 0 ? "" : "\n")
                    .append("  ")
                    .append(scope.label())
                    .append(": ")
                    .append(scope.grants());
        }
        return lines.toString();
    }

    KeysGenerateCommand() {
        this(new SecureRandom());
    }

    KeysGenerateCommand(SecureRandom random) {
        this.random = random;
    }

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String id = call.required("--id");
        if (!KEY_ID.matcher(id).matches()) {
            throw new UsageException(
                    "--id must be 1-64 of A-Z, a-z, 0-9, _ and -, starting with a letter or digit, got "
                            + Args.quoted(id));
        }
        String scopes = scopes(call.required("--scopes"));
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        String key = "wlk_" + id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String line = line(id, scopes, key, salt);
        if (call.json()) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("key_id", id);
            document.put("scopes", scopes);
            document.put("key", key);
            document.put("line", line);
            call.printJson(document);
        } else {
            call.out.println("key (shown once; give it to the client now, the server never stores it):");
            call.out.println("  " + key);
            call.out.println("line for WALLET_API_KEYS_FILE (read again within 2 s of the change):");
            call.out.println("  " + line);
        }
        return ExitCode.OK;
    }

    /** {@code "write, read"} to {@code "read,write"}: known names, each once, in the canonical order. */
    static String scopes(String text) {
        List<String> given = new ArrayList<>();
        for (String name : text.split(",", -1)) {
            String scope = name.strip();
            if (!SCOPES.contains(scope)) {
                throw new UsageException(
                        "--scopes takes read, write, admin and support separated by commas, got " + Args.quoted(scope));
            }
            if (given.contains(scope)) {
                throw new UsageException("--scopes lists " + scope + " twice");
            }
            given.add(scope);
        }
        return String.join(",", SCOPES.stream().filter(given::contains).toList());
    }

    /** The server's key-file line: {@code <id> <scopes> sha256:<salt hex>:<SHA-256(salt || key) hex>}. */
    static String line(String id, String scopes, String key, byte[] salt) {
        return ApiKeyHash.line(id, scopes, key, salt);
    }
}
