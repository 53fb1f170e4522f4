package dev.walletledger.cli;

import dev.walletledger.core.UserPage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code wallet users}: the users whose id starts with a prefix, a page at a time (what a support agent looks up). */
final class UsersCommand implements Command {
    private static final Synopsis SYNOPSIS = new Synopsis(
            "users",
            "find users by the start of their id",
            "wallet users [PREFIX] [--limit N] [--cursor C] [--json]",
            "Lists the users (anyone with a wallet) whose id starts with PREFIX (every user\nwithout it;"
                    + " case-sensitive), in code point order, each once, --limit at a time (20).",
            List.of("PREFIX"),
            0,
            List.of(
                    Args.Option.value("--limit", "N", "users per page, 1 to " + UserPage.LIMIT_MAX),
                    Args.Option.value("--cursor", "C", "the next page, as the last one said")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String prefix = call.positional(0) == null ? "" : call.positional(0);
        int limit = call.args
                .value("--limit")
                .map(text -> (int) Args.wholeNumber("--limit", text, 1, UserPage.LIMIT_MAX))
                .orElse(20);
        UserPage page = call.ledger().users(prefix, call.args.value("--cursor").orElse(null), limit);
        if (call.json()) {
            Map<String, Object> document = new LinkedHashMap<>(); // as GET /api/v1/wallets answers
            document.put("users", page.users());
            document.put("next_cursor", page.nextAfter().orElse(null));
            call.printJson(document);
            return ExitCode.OK;
        }
        page.users().forEach(call.out::println);
        page.nextAfter().ifPresent(cursor -> call.out.println("more: --cursor " + cursor));
        return ExitCode.OK;
    }
}
