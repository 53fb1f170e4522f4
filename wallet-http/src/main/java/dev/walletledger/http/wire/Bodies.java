package dev.walletledger.http.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.walletledger.core.ActivityReport;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Balance;
import dev.walletledger.core.BatchResult;
import dev.walletledger.core.Entry;
import dev.walletledger.core.Event;
import dev.walletledger.core.EventPage;
import dev.walletledger.core.HistoryItem;
import dev.walletledger.core.HistoryPage;
import dev.walletledger.core.Hold;
import dev.walletledger.core.HoldPage;
import dev.walletledger.core.Operation;
import dev.walletledger.core.Outcome;
import dev.walletledger.core.OutstandingReport;
import dev.walletledger.core.TransactionResult;
import dev.walletledger.core.WalletControls;
import dev.walletledger.core.WalletException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Response bodies, written field by field in a fixed order so the same result always gives the same
 * bytes (an idempotent replay is byte-identical to the original answer). Amounts are JSON integers.
 */
public final class Bodies {
    private Bodies() {}

    /** A write's answer: the transaction with the user's balance right after it. */
    public static byte[] transaction(TransactionResult result) {
        return Json.write(g -> writeTransaction(g, result, false));
    }

    /** A read of one transaction: as a write's answer, plus its postings and reversals. */
    public static byte[] transactionWithEntries(TransactionResult result) {
        return Json.write(g -> writeTransaction(g, result, true));
    }

    /**
     * One event of the feed, as the feed and webhook deliveries carry it: {@code {id, cursor, type, created_at,
     * actor, transaction}} for a transaction (its body as a write answers it, with each touched user's balance
     * right after it), or {@code {id, cursor, type, created_at, actor, controls}} for a controls change (the
     * controls it set, as {@link #controls} writes them). {@code actor} is null when no API key acted (the ledger's
     * own expiries, a server without keys). The same event always gives the same bytes, so a delivery retried
     * carries exactly what was signed the first time.
     */
    public static byte[] event(Event event) {
        return Json.write(g -> writeEvent(g, event));
    }

    /** A page of the feed: {@code {events: [...], next}}; {@code next} is the cursor to read on from. */
    public static byte[] events(EventPage page) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("events");
            for (Event event : page.events()) {
                writeEvent(g, event);
            }
            g.writeEndArray();
            g.writeStringField("next", page.next());
            g.writeEndObject();
        });
    }

    private static void writeEvent(JsonGenerator g, Event event) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", event.id());
        g.writeStringField("cursor", event.cursor());
        g.writeStringField("type", event.type());
        g.writeStringField("created_at", Json.timestamp(event.createdAt()));
        writeOptional(g, "actor", event.actor());
        // Event's constructor holds exactly one of the two.
        if (event.transaction().isPresent()) {
            g.writeFieldName("transaction");
            writeTransaction(g, event.transaction().get(), false);
        } else {
            g.writeFieldName("controls");
            writeControls(g, event.controls().orElseThrow());
        }
        g.writeEndObject();
    }

    /**
     * A wallet's controls: {@code {user_id, asset_code, status, max_balance, daily_spend_limit, spent_today,
     * change_id, reason, actor, changed_at}}. A limit not set is null; the change's fields are null for a wallet
     * whose controls were never set.
     */
    public static byte[] controls(WalletControls controls) {
        return Json.write(g -> writeControls(g, controls));
    }

    /** A wallet's controls changes, newest first: {@code {user_id, asset_code, changes: [controls...]}}. */
    public static byte[] controlsHistory(String userId, String assetCode, List<WalletControls> changes) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", userId);
            g.writeStringField("asset_code", assetCode);
            g.writeArrayFieldStart("changes");
            for (WalletControls change : changes) {
                writeControls(g, change);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void writeControls(JsonGenerator g, WalletControls controls) throws IOException {
        g.writeStartObject();
        g.writeStringField("user_id", controls.userId());
        g.writeStringField("asset_code", controls.assetCode());
        g.writeStringField("status", controls.status().name());
        writeOptional(g, "max_balance", controls.maxBalance());
        writeOptional(g, "daily_spend_limit", controls.dailySpendLimit());
        g.writeNumberField("spent_today", controls.spentToday());
        writeOptional(g, "change_id", controls.changeId());
        writeOptional(g, "reason", controls.reason());
        writeOptional(g, "actor", controls.actor());
        writeOptional(g, "changed_at", controls.changedAt().map(Json::timestamp));
        g.writeEndObject();
    }

    /** A field always present, null when empty: the shape of a body never depends on its values. */
    private static void writeOptional(JsonGenerator g, String name, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(name, value.get());
        } else {
            g.writeNullField(name);
        }
    }

    private static void writeOptional(JsonGenerator g, String name, OptionalLong value) throws IOException {
        if (value.isPresent()) {
            g.writeNumberField(name, value.getAsLong());
        } else {
            g.writeNullField(name);
        }
    }

    /** The asset types: {@code {assets: [{code, name, decimal_places, spend_order}]}}. */
    public static byte[] assets(List<Asset> assets) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("assets");
            for (Asset asset : assets) {
                g.writeStartObject();
                g.writeStringField("code", asset.code());
                g.writeStringField("name", asset.name());
                g.writeNumberField("decimal_places", asset.decimalPlaces());
                g.writeStringField("spend_order", asset.spendOrder().name());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public static byte[] balance(Balance balance) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", balance.userId());
            g.writeStringField("asset_code", balance.assetCode());
            g.writeNumberField("balance", balance.balance());
            g.writeNumberField("held", balance.held());
            writeSplit(g, balance);
            g.writeNumberField("decimal_places", balance.decimalPlaces());
            g.writeEndObject();
        });
    }

    /** A balance as of a moment: as {@link #balance}, and the moment, {@code at}. */
    public static byte[] balanceAt(Balance balance, java.time.Instant at) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", balance.userId());
            g.writeStringField("asset_code", balance.assetCode());
            g.writeNumberField("balance", balance.balance());
            g.writeNumberField("held", balance.held());
            writeSplit(g, balance);
            g.writeNumberField("decimal_places", balance.decimalPlaces());
            g.writeStringField("at", Json.timestamp(at));
            g.writeEndObject();
        });
    }

    /**
     * {@code {at, assets: [{asset_code, decimal_places, paid, free, held, expiring_within_30_days, wallets}]}}: held
     * is apart from paid and free, not split by class.
     */
    public static byte[] outstanding(OutstandingReport report) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("at", Json.timestamp(report.at()));
            g.writeArrayFieldStart("assets");
            for (OutstandingReport.Line line : report.assets()) {
                g.writeStartObject();
                g.writeStringField("asset_code", line.assetCode());
                g.writeNumberField("decimal_places", line.decimalPlaces());
                g.writeNumberField("paid", line.paid());
                g.writeNumberField("free", line.free());
                g.writeNumberField("held", line.held());
                g.writeNumberField("expiring_within_30_days", line.expiring());
                g.writeNumberField("wallets", line.wallets());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * {@code {from, to, assets: [{asset_code, decimal_places, paid_credited, free_granted, paid_spent, free_spent,
     * expired, refunded, charged_back, adjusted_credit, adjusted_debit, held, released, transferred, paid: {...},
     * free: {...}}]}}, each class {@code {opening, credited, debited, closing, credits: {topup, ...}, debits: {...}}}.
     */
    public static byte[] activity(ActivityReport report) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("from", Json.timestamp(report.from()));
            g.writeStringField("to", Json.timestamp(report.to()));
            g.writeArrayFieldStart("assets");
            for (ActivityReport.Line line : report.assets()) {
                g.writeStartObject();
                g.writeStringField("asset_code", line.assetCode());
                g.writeNumberField("decimal_places", line.decimalPlaces());
                g.writeNumberField("paid_credited", line.paidCredited());
                g.writeNumberField("free_granted", line.freeGranted());
                g.writeNumberField("paid_spent", line.paidSpent());
                g.writeNumberField("free_spent", line.freeSpent());
                g.writeNumberField("expired", line.expired());
                g.writeNumberField("refunded", line.refunded());
                g.writeNumberField("charged_back", line.chargedBack());
                g.writeNumberField("adjusted_credit", line.adjustedCredit());
                g.writeNumberField("adjusted_debit", line.adjustedDebit());
                g.writeNumberField("held", line.held());
                g.writeNumberField("released", line.released());
                g.writeNumberField("transferred", line.transferred());
                writeFlow(g, "paid", line.paid());
                writeFlow(g, "free", line.free());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void writeFlow(JsonGenerator g, String name, ActivityReport.LotFlow flow) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("opening", flow.opening());
        g.writeNumberField("credited", flow.credited());
        g.writeNumberField("debited", flow.debited());
        g.writeNumberField("closing", flow.closing());
        for (String side : List.of("credits", "debits")) {
            g.writeObjectFieldStart(side);
            for (Map.Entry<dev.walletledger.core.OperationType, Long> amount :
                    (side.equals("credits") ? flow.credits() : flow.debits()).entrySet()) {
                g.writeNumberField(amount.getKey().name().toLowerCase(Locale.ROOT), amount.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    public static byte[] balances(String userId, List<Balance> balances) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", userId);
            g.writeArrayFieldStart("balances");
            for (Balance balance : balances) {
                g.writeStartObject();
                g.writeStringField("asset_code", balance.assetCode());
                g.writeNumberField("balance", balance.balance());
                g.writeNumberField("held", balance.held());
                writeSplit(g, balance);
                g.writeNumberField("decimal_places", balance.decimalPlaces());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A hold as it stands. */
    public static byte[] hold(Hold hold) {
        return Json.write(g -> writeHold(g, hold));
    }

    /** A page of a user's holds, newest first. */
    public static byte[] holds(String userId, HoldPage page) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", userId);
            g.writeArrayFieldStart("holds");
            for (Hold hold : page.holds()) {
                writeHold(g, hold);
            }
            g.writeEndArray();
            writeNextCursor(g, page.nextCursor());
            g.writeEndObject();
        });
    }

    /** A page's {@code next_cursor}: the cursor, or null on the last page. */
    private static void writeNextCursor(JsonGenerator g, java.util.Optional<String> cursor) throws IOException {
        if (cursor.isPresent()) {
            g.writeStringField("next_cursor", cursor.get());
        } else {
            g.writeNullField("next_cursor");
        }
    }

    private static void writeHold(JsonGenerator g, Hold hold) throws IOException {
        g.writeStartObject();
        g.writeStringField("hold_id", hold.id().toString());
        g.writeStringField("reference_id", hold.referenceId());
        g.writeStringField("user_id", hold.userId());
        g.writeStringField("asset_code", hold.assetCode());
        g.writeNumberField("amount", hold.amount());
        g.writeNumberField("captured", hold.captured());
        g.writeNumberField("released", hold.released());
        g.writeNumberField("remaining", hold.remaining());
        g.writeStringField("status", hold.status().name());
        g.writeStringField("expires_at", Json.timestamp(hold.expiresAt()));
        g.writeStringField("created_at", Json.timestamp(hold.createdAt()));
        if (hold.closedAt() != null) {
            g.writeStringField("closed_at", Json.timestamp(hold.closedAt()));
        } else {
            g.writeNullField("closed_at");
        }
        g.writeEndObject();
    }

    public static byte[] history(String userId, String assetCode, HistoryPage page) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", userId);
            if (assetCode != null) {
                g.writeStringField("asset_code", assetCode);
            }
            g.writeArrayFieldStart("items");
            for (HistoryItem item : page.items()) {
                writeHistoryItem(g, item);
            }
            g.writeEndArray();
            writeNextCursor(g, page.nextCursor());
            g.writeEndObject();
        });
    }

    public static byte[] batch(String mode, BatchResult result) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("mode", mode);
            g.writeNumberField("applied", result.appliedCount());
            g.writeNumberField("replayed", result.replayedCount());
            g.writeNumberField("refused", result.refusedCount());
            g.writeArrayFieldStart("outcomes");
            for (Outcome outcome : result.outcomes()) {
                g.writeStartObject();
                if (outcome instanceof Outcome.Applied applied) {
                    g.writeStringField("status", applied.result().replayed() ? "replayed" : "applied");
                    g.writeFieldName("transaction");
                    writeTransaction(g, applied.result(), false);
                } else {
                    WalletException error = ((Outcome.Refused) outcome).error();
                    g.writeStringField("status", "refused");
                    g.writeBooleanField("replayed", error.replayed());
                    g.writeFieldName("error");
                    writeErrorObject(g, error.code().name(), error.getMessage(), error.details());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {@code {"error": {"code", "message", "details"}}}; details keys sorted, so the body is stable. */
    public static byte[] error(String code, String message, Map<String, ?> details) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeFieldName("error");
            writeErrorObject(g, code, message, details);
            g.writeEndObject();
        });
    }

    /** @param walArchive the WAL archive's state when the database archives: status, failed, pending_files... */
    public static byte[] health(
            boolean databaseUp, String version, java.util.Optional<Map<String, Object>> walArchive) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", databaseUp ? "ok" : "unavailable");
            g.writeStringField("database", databaseUp ? "up" : "down");
            g.writeStringField("version", version);
            if (walArchive.isPresent()) {
                Map<String, Object> archive = walArchive.get();
                g.writeObjectFieldStart("wal_archive");
                g.writeStringField("status", (String) archive.get("status"));
                g.writeNumberField("failed", (Long) archive.get("failed"));
                g.writeNumberField("pending_files", (Long) archive.get("pending_files"));
                g.writeStringField("last_archived_wal", (String) archive.get("last_archived_wal"));
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    private static void writeErrorObject(JsonGenerator g, String code, String message, Map<String, ?> details)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("code", code);
        g.writeStringField("message", message);
        g.writeFieldName("details");
        Json.writeValue(g, new TreeMap<>(details));
        g.writeEndObject();
    }

    /**
     * A transaction. Top-ups, bonuses, spends, adjustments, reversals and chargebacks: {@code transaction_id,
     * reference_id, type, [reverses,] user_id, asset_code, [direction,] amount, balance, <their own fields>,
     * created_at, metadata}; a transfer names its two parties and balances in place of {@code user_id} and
     * {@code balance}. A read adds the postings, the reversals and what remains reversible.
     */
    private static void writeTransaction(JsonGenerator g, TransactionResult result, boolean withEntries)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("transaction_id", result.transactionId().toString());
        g.writeStringField("reference_id", result.referenceId());
        g.writeStringField("type", result.type().name());
        result.operation().accept(new Fields(g, result));
        g.writeArrayFieldStart("breakdown");
        for (dev.walletledger.core.Lot lot : result.breakdown()) {
            writeLot(g, lot);
        }
        g.writeEndArray();
        g.writeStringField("created_at", Json.timestamp(result.createdAt()));
        g.writeFieldName("metadata");
        g.writeRawValue(result.metadata().json());
        if (withEntries) {
            // Who acted, on a read: an operator looking a transaction up sees which key made it (an adjustment
            // names it in its own fields, as its write answers).
            if (result.type() != dev.walletledger.core.OperationType.ADJUSTMENT && result.actor() != null) {
                g.writeStringField("actor", result.actor());
            }
            g.writeArrayFieldStart("entries");
            for (Entry entry : result.entries()) {
                writeEntry(g, entry);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("reversals");
            for (TransactionResult.Reversal reversal : result.reversals()) {
                g.writeStartObject();
                g.writeStringField("transaction_id", reversal.transactionId().toString());
                g.writeStringField("type", reversal.type().name());
                g.writeNumberField("amount", reversal.amount());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("reversible_amount", result.reversibleAmount());
        }
        g.writeEndObject();
    }

    /** A lot or a breakdown's part: {@code {class, expires_at, amount}} ({@code expires_at} null: never). */
    private static void writeLot(JsonGenerator g, dev.walletledger.core.Lot lot) throws IOException {
        g.writeStartObject();
        g.writeStringField("class", lot.lotClass().name());
        if (lot.expiresAt() == null) {
            g.writeNullField("expires_at");
        } else {
            g.writeStringField("expires_at", Json.timestamp(lot.expiresAt()));
        }
        g.writeNumberField("amount", lot.amount());
        g.writeEndObject();
    }

    /** The lots of a user's wallet in one asset: {@code {user_id, asset_code, lots: [{class, expires_at, amount}]}}. */
    public static byte[] lots(String userId, String assetCode, List<dev.walletledger.core.Lot> lots) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("user_id", userId);
            g.writeStringField("asset_code", assetCode);
            g.writeArrayFieldStart("lots");
            for (dev.walletledger.core.Lot lot : lots) {
                writeLot(g, lot);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A balance's paid and free parts and its expiring lots ({@code [{amount, expires_at}]}). */
    private static void writeSplit(JsonGenerator g, Balance balance) throws IOException {
        g.writeNumberField("paid", balance.paid());
        g.writeNumberField("free", balance.free());
        g.writeArrayFieldStart("expiring");
        for (dev.walletledger.core.Lot lot : balance.expiring()) {
            g.writeStartObject();
            g.writeNumberField("amount", lot.amount());
            g.writeStringField("class", lot.lotClass().name());
            g.writeStringField("expires_at", Json.timestamp(lot.expiresAt()));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** What each type writes between its type and its {@code created_at}, in a fixed order. */
    private static final class Fields implements Operation.Visitor<Void> {
        private final JsonGenerator g;
        private final TransactionResult result;

        Fields(JsonGenerator g, TransactionResult result) {
            this.g = g;
            this.result = result;
        }

        @Override
        public Void topUp(Operation.TopUp o) {
            return plain(() -> {
                optional("payment_method", o.paymentMethod());
                optional("expires_at", o.expiresAt() == null ? null : Json.timestamp(o.expiresAt()));
            });
        }

        @Override
        public Void bonus(Operation.Bonus o) {
            return plain(() -> {
                optional("bonus_type", o.bonusType());
                optional("expires_at", o.expiresAt() == null ? null : Json.timestamp(o.expiresAt()));
            });
        }

        @Override
        public Void spend(Operation.Spend o) {
            return plain(() -> optional("item_id", o.itemId()));
        }

        @Override
        public Void transfer(Operation.Transfer o) {
            return write(() -> {
                g.writeStringField("from_user_id", o.fromUserId());
                g.writeStringField("to_user_id", o.toUserId());
                g.writeStringField("asset_code", result.assetCode());
                g.writeNumberField("amount", result.amount());
                g.writeNumberField(
                        "from_balance", result.balanceOf(o.fromUserId()).orElseThrow());
                g.writeNumberField("to_balance", result.balanceOf(o.toUserId()).orElseThrow());
            });
        }

        @Override
        public Void reversal(Operation.Reversal o) {
            return plain(() -> {
                optional("reason", o.reason());
                g.writeArrayFieldStart("balances");
                for (java.util.Map.Entry<String, Long> balance :
                        result.balances().entrySet()) {
                    g.writeStartObject();
                    g.writeStringField("user_id", balance.getKey());
                    g.writeNumberField("balance", balance.getValue());
                    g.writeEndObject();
                }
                g.writeEndArray();
            });
        }

        @Override
        public Void chargeback(Operation.Chargeback o) {
            return plain(() -> {
                g.writeStringField("policy", o.policy().wireName());
                g.writeNumberField("recovered", result.recovered());
                g.writeNumberField("shortfall", result.shortfall());
            });
        }

        @Override
        public Void adjustment(Operation.Adjustment o) {
            return write(() -> {
                g.writeStringField("user_id", result.userId());
                g.writeStringField("asset_code", result.assetCode());
                g.writeStringField("direction", o.direction().name().toLowerCase(Locale.ROOT));
                g.writeNumberField("amount", result.amount());
                g.writeNumberField("balance", result.balanceAfter());
                g.writeStringField("reason", o.reason());
                optional("actor", result.actor());
            });
        }

        @Override
        public Void hold(Operation.Hold o) {
            return held(() -> {
                g.writeNumberField("remaining", result.amount());
                g.writeStringField("status", Hold.Status.OPEN.name());
                g.writeStringField("expires_at", Json.timestamp(o.expiresAt(result.createdAt())));
            });
        }

        @Override
        public Void capture(Operation.Capture o) {
            return held(() -> {
                g.writeNumberField("captured", result.captured());
                g.writeNumberField("released", result.released());
                long remaining = result.holdRemaining().orElseThrow();
                g.writeNumberField("remaining", remaining);
                g.writeStringField("status", (remaining == 0 ? Hold.Status.CAPTURED : Hold.Status.OPEN).name());
                optional("item_id", o.itemId());
            });
        }

        @Override
        public Void voidHold(Operation.VoidHold o) {
            return held(() -> {
                g.writeNumberField("released", result.released());
                g.writeNumberField("remaining", 0);
                g.writeStringField("status", Hold.Status.VOIDED.name());
            });
        }

        @Override
        public Void expiry(Operation.Expiry o) {
            return held(() -> {
                g.writeNumberField("released", result.released());
                g.writeNumberField("remaining", 0);
                g.writeStringField("status", Hold.Status.EXPIRED.name());
            });
        }

        @Override
        public Void lotSplit(Operation.LotSplit o) {
            return plain(() -> {});
        }

        @Override
        public Void lotExpiry(Operation.LotExpiry o) {
            return plain(() -> g.writeStringField(
                    "expires_at",
                    Json.timestamp(dev.walletledger.core.Lot.of(o.account(), 0).expiresAt())));
        }

        /**
         * A hold's movement: {@code hold_id, user_id, asset_code, amount, <its own>, balance, held}; every field comes from
         * the transaction itself, so a replay answers the same bytes.
         */
        private Void held(Writes own) {
            return write(() -> {
                g.writeStringField("hold_id", result.holdId().orElseThrow().toString());
                g.writeStringField("user_id", result.userId());
                g.writeStringField("asset_code", result.assetCode());
                g.writeNumberField("amount", result.amount()); // what entered (a hold) or left the held account
                own.write();
                g.writeNumberField("balance", result.balanceAfter());
                g.writeNumberField("held", result.heldAfter().orElseThrow());
            });
        }

        /** The one-user shape: {@code [reverses,] user_id, asset_code, amount, balance}, then the type's own. */
        private Void plain(Writes own) {
            return write(() -> {
                if (result.reverses() != null) {
                    g.writeStringField("reverses", result.reverses().toString());
                }
                g.writeStringField("user_id", result.userId());
                g.writeStringField("asset_code", result.assetCode());
                g.writeNumberField("amount", result.amount());
                g.writeNumberField("balance", result.balanceAfter());
                own.write();
            });
        }

        private void optional(String name, String value) throws IOException {
            if (value != null) {
                g.writeStringField(name, value);
            }
        }

        private static Void write(Writes writes) {
            try {
                writes.write();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        }

        @FunctionalInterface
        private interface Writes {
            void write() throws IOException;
        }
    }

    private static void writeEntry(JsonGenerator g, Entry entry) throws IOException {
        g.writeStartObject();
        g.writeStringField("wallet_kind", entry.walletKind().name());
        g.writeStringField("owner", entry.owner());
        g.writeStringField("account", entry.account());
        g.writeStringField("direction", entry.direction().name());
        g.writeNumberField("amount", entry.amount());
        if (entry.balanceAfter().isPresent()) {
            g.writeNumberField("balance_after", entry.balanceAfter().getAsLong());
        }
        g.writeEndObject();
    }

    private static void writeHistoryItem(JsonGenerator g, HistoryItem item) throws IOException {
        g.writeStartObject();
        g.writeNumberField("entry_id", item.entryId());
        g.writeStringField("transaction_id", item.transactionId().toString());
        g.writeStringField("reference_id", item.referenceId());
        g.writeStringField("type", item.type().name());
        g.writeStringField("asset_code", item.assetCode());
        g.writeStringField("account", item.account());
        g.writeStringField("direction", item.direction().name());
        g.writeNumberField("amount", item.amount());
        g.writeNumberField("balance_after", item.balanceAfter());
        if (item.counterparty() != null) {
            g.writeStringField("counterparty", item.counterparty());
        }
        if (item.reverses() != null) {
            g.writeStringField("reverses", item.reverses().toString());
        }
        if (item.holdId() != null) {
            g.writeStringField("hold_id", item.holdId().toString());
        }
        g.writeStringField("created_at", Json.timestamp(item.createdAt()));
        g.writeFieldName("metadata");
        g.writeRawValue(item.metadata().json());
        g.writeEndObject();
    }
}
