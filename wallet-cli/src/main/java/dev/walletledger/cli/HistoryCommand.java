package dev.walletledger.cli;

import dev.walletledger.core.Direction;
import dev.walletledger.core.HistoryItem;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.http.wire.Bodies;
import java.util.List;

/** {@code wallet history USER}: a page of the user's entries, newest first. */
final class HistoryCommand implements Command {
    static final int LIMIT_DEFAULT = 20;

    private static final Synopsis SYNOPSIS = new Synopsis(
            "history",
            "show a user's entries, newest first",
            "wallet history USER [--asset CODE] [--limit N] [--cursor CURSOR] [--json]",
            """
            Shows one page of the user's entries, newest first: when, what, the account (the lot: main
            for paid coins that never expire, free, paid_/free_ with an expiry, or held), the signed
            amount and that account's balance right after it, with the reference and transaction ids. A
            spend of coins from two lots is an entry on each. When older entries remain,
            the last line gives the --cursor for the next page; cursors stay valid forever.""",
            List.of("USER"),
            1,
            List.of(
                    Args.Option.value("--asset", "CODE", "only this asset"),
                    Args.Option.value(
                            "--limit",
                            "N",
                            "entries per page, 1-" + HistoryPage.LIMIT_MAX + " (" + LIMIT_DEFAULT + ")"),
                    Args.Option.value("--cursor", "CURSOR", "continue after the page that printed it")));

    @Override
    public Synopsis synopsis() {
        return SYNOPSIS;
    }

    @Override
    public ExitCode run(Invocation call) {
        String user = call.positional(0);
        int limit = call.args
                .value("--limit")
                .map(text -> (int) Args.wholeNumber("--limit", text, 1, HistoryPage.LIMIT_MAX))
                .orElse(LIMIT_DEFAULT);
        HistoryPage page = call.ledger()
                .history(
                        user,
                        call.args.value("--asset").orElse(null),
                        call.args.value("--cursor").orElse(null),
                        limit);
        if (call.json()) {
            // as GET /api/v1/wallets/{user_id}/transactions answers
            call.printJson(Bodies.history(user, call.args.value("--asset").orElse(null), page));
            return ExitCode.OK;
        }
        if (page.items().isEmpty()) {
            call.out.println("no entries for " + user);
            return ExitCode.OK;
        }
        Table table = Table.of(
                "CREATED_AT",
                Table.Align.LEFT,
                "TYPE",
                Table.Align.LEFT,
                "ASSET",
                Table.Align.LEFT,
                "ACCOUNT",
                Table.Align.LEFT,
                "AMOUNT",
                Table.Align.RIGHT,
                "BALANCE_AFTER",
                Table.Align.RIGHT,
                "REFERENCE",
                Table.Align.LEFT,
                "TRANSACTION",
                Table.Align.LEFT);
        for (HistoryItem item : page.items()) {
            int decimals = call.decimalPlaces(item.assetCode());
            table.row(
                    TransactionView.timestamp(item.createdAt()),
                    item.type().name(),
                    item.assetCode(),
                    item.account(),
                    (item.direction() == Direction.CREDIT ? "+" : "-") + Units.major(item.amount(), decimals),
                    Units.major(item.balanceAfter(), decimals),
                    item.referenceId(),
                    item.transactionId().toString());
        }
        table.print(call.out);
        page.nextCursor()
                .ifPresentOrElse(
                        cursor -> call.out.println("older entries: --cursor " + cursor),
                        () -> call.out.println("(no older entries)"));
        return ExitCode.OK;
    }
}
