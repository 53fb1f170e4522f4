package dev.walletledger.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.client.ApiClient;
import dev.walletledger.client.ApiException;
import dev.walletledger.client.ApiResponse;
import dev.walletledger.client.api.BatchApi;
import dev.walletledger.client.api.SystemApi;
import dev.walletledger.client.api.TransactionsApi;
import dev.walletledger.client.api.WalletsApi;
import dev.walletledger.client.model.BalanceAnswer;
import dev.walletledger.client.model.BatchBonus;
import dev.walletledger.client.model.BatchOperation;
import dev.walletledger.client.model.BatchOutcome;
import dev.walletledger.client.model.BatchRequest;
import dev.walletledger.client.model.BatchResult;
import dev.walletledger.client.model.BatchSpend;
import dev.walletledger.client.model.BatchTopup;
import dev.walletledger.client.model.BonusRequest;
import dev.walletledger.client.model.Error;
import dev.walletledger.client.model.HistoryItem;
import dev.walletledger.client.model.HistoryPage;
import dev.walletledger.client.model.OperationType;
import dev.walletledger.client.model.SpendRequest;
import dev.walletledger.client.model.TopupRequest;
import dev.walletledger.client.model.Transaction;
import dev.walletledger.client.model.TransactionWithEntries;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The whole API through a Java client generated from openapi.json at build time (openapi-generator,
 * "native"), the way most users will call us: the money flow, replays, balances with and without an asset,
 * history paging, lookups, both batch modes, and the error shapes. A document the generator misreads
 * (a {@code oneOf} both branches of which match, batch items without their fields, an int32 entry id)
 * fails here.
 */
class GeneratedClientTest {
    private static final String GOLD = "GOLD_COINS";
    static TestServer server;
    static ApiClient client;

    @BeforeAll
    static void start() {
        server = new TestServer();
        client = new ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + server.server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theMoneyFlowReplaysAndLookups() throws Exception {
        WalletsApi wallets = new WalletsApi(client);
        TopupRequest topup = new TopupRequest()
                .userId("gen_alice")
                .assetCode(GOLD)
                .amount(10_000L)
                .referenceId("gen_pay_1")
                .paymentMethod("stripe")
                .metadata(Map.of("intent", "pi_1"));
        ApiResponse<Transaction> created = wallets.topupWithHttpInfo(topup);
        assertEquals(201, created.getStatusCode());
        assertEquals(OperationType.TOPUP, created.getData().getType());
        assertEquals(10_000L, created.getData().getBalance());
        ApiResponse<Transaction> replayed = wallets.topupWithHttpInfo(topup);
        assertEquals(200, replayed.getStatusCode());
        assertEquals(List.of("true"), replayed.getHeaders().get("idempotent-replayed"));
        assertEquals(created.getData().getTransactionId(), replayed.getData().getTransactionId());

        Transaction bonus = wallets.bonus(new BonusRequest()
                .userId("gen_alice")
                .assetCode(GOLD)
                .amount(500L)
                .referenceId("gen_bonus_1")
                .bonusType("daily"));
        assertEquals(10_500L, bonus.getBalance());
        assertEquals("daily", bonus.getBonusType());
        Transaction spend = wallets.spend(new SpendRequest()
                .userId("gen_alice")
                .assetCode(GOLD)
                .amount(2_000L)
                .referenceId("gen_spend_1")
                .itemId("sword"));
        assertEquals(8_500L, spend.getBalance());

        BalanceAnswer one = wallets.balance("gen_alice", GOLD, null, null);
        assertEquals(8_500L, one.getBalance());
        assertEquals(GOLD, one.getAssetCode());
        assertTrue(one.getBalances() == null || one.getBalances().isEmpty(), "absent (the generator may default it)");
        BalanceAnswer all = wallets.balance("gen_alice", null, null, null);
        assertNull(all.getBalance());
        assertEquals(1, all.getBalances().size(), "the all-balances answer keeps its balances");
        assertEquals(8_500L, all.getBalances().get(0).getBalance());

        List<HistoryItem> items = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) { // four entries, one per page: bounded
            HistoryPage history = wallets.history("gen_alice", GOLD, 1, cursor, null);
            items.addAll(history.getItems());
            cursor = history.getNextCursor();
            if (cursor == null) {
                break;
            }
        }
        // the spend took the bonus's free coins first, then paid ones: an entry on each lot
        assertEquals(
                List.of(OperationType.SPEND, OperationType.SPEND, OperationType.BONUS, OperationType.TOPUP),
                items.stream().map(HistoryItem::getType).toList());
        assertTrue(items.get(0).getEntryId() > items.get(1).getEntryId(), "entry ids are Long, newest first");

        TransactionsApi transactions = new TransactionsApi(client);
        TransactionWithEntries byId = transactions.transaction(spend.getTransactionId(), null);
        assertEquals("sword", byId.getItemId());
        // free coins from the bonus and paid ones from the top-up; PROMO_REDEEMED and REVENUE credited apart
        assertEquals(4, byId.getEntries().size());
        assertEquals(2, byId.getBreakdown().size());
        assertEquals(
                500L + 1_500L,
                byId.getBreakdown().stream().mapToLong(lot -> lot.getAmount()).sum());
        assertEquals(
                byId.getTransactionId(),
                transactions.transactionByReference("gen_spend_1", null).getTransactionId());

        SystemApi system = new SystemApi(client);
        assertEquals("ok", system.health().getStatus().getValue());
        assertFalse(system.assets().getAssets().isEmpty());
        assertTrue(system.openapi().getOpenapi().startsWith("3."));
        assertTrue(system.metrics().contains("wallet_"));
    }

    @Test
    void batchesBuiltFromTheGeneratedModels() throws Exception {
        BatchApi batches = new BatchApi(client);
        BatchRequest atomic = new BatchRequest()
                .mode(BatchRequest.ModeEnum.ATOMIC)
                .operations(List.of(
                        new BatchOperation(new BatchTopup()
                                .type(BatchTopup.TypeEnum.TOPUP)
                                .userId("gen_bob")
                                .assetCode(GOLD)
                                .amount(300L)
                                .referenceId("gen_b_1")
                                .paymentMethod("apple")),
                        new BatchOperation(new BatchBonus()
                                .type(BatchBonus.TypeEnum.BONUS)
                                .userId("gen_bob")
                                .assetCode(GOLD)
                                .amount(20L)
                                .referenceId("gen_b_2")),
                        new BatchOperation(new BatchSpend()
                                .type(BatchSpend.TypeEnum.SPEND)
                                .userId("gen_bob")
                                .assetCode(GOLD)
                                .amount(120L)
                                .referenceId("gen_b_3")
                                .itemId("shield"))));
        BatchResult first = batches.batch(atomic);
        assertEquals(3, first.getApplied());
        assertEquals(200L, first.getOutcomes().get(2).getTransaction().getBalance());
        BatchResult again = batches.batch(atomic);
        assertEquals(0, again.getApplied());
        assertEquals(3, again.getReplayed());

        BatchRequest independent = new BatchRequest()
                .mode(BatchRequest.ModeEnum.INDEPENDENT)
                .operations(List.of(
                        new BatchOperation(new BatchSpend()
                                .type(BatchSpend.TypeEnum.SPEND)
                                .userId("gen_bob")
                                .assetCode(GOLD)
                                .amount(1_000_000L)
                                .referenceId("gen_b_4")),
                        new BatchOperation(new BatchTopup()
                                .type(BatchTopup.TypeEnum.TOPUP)
                                .userId("gen_bob")
                                .assetCode(GOLD)
                                .amount(1L)
                                .referenceId("gen_b_5"))));
        BatchResult mixed = batches.batch(independent);
        assertEquals(BatchOutcome.StatusEnum.REFUSED, mixed.getOutcomes().get(0).getStatus());
        assertEquals("INSUFFICIENT_FUNDS", mixed.getOutcomes().get(0).getError().getCode());
        assertEquals(BatchOutcome.StatusEnum.APPLIED, mixed.getOutcomes().get(1).getStatus());
        assertEquals(1, mixed.getRefused());
    }

    @Test
    void everyErrorShapeReadsAsTheDocumentedError() throws Exception {
        WalletsApi wallets = new WalletsApi(client);
        wallets.topup(new TopupRequest()
                .userId("gen_carol")
                .assetCode(GOLD)
                .amount(5L)
                .referenceId("gen_c_1"));
        Set<String> seen = new HashSet<>();
        expect(
                400,
                "VALIDATION_FAILED",
                seen,
                () -> wallets.topup(new TopupRequest()
                        .userId(" padded ")
                        .assetCode(GOLD)
                        .amount(5L)
                        .referenceId("gen_c_2")));
        expect(
                404,
                "ASSET_NOT_FOUND",
                seen,
                () -> wallets.topup(new TopupRequest()
                        .userId("gen_carol")
                        .assetCode("NO_SUCH_ASSET")
                        .amount(5L)
                        .referenceId("gen_c_3")));
        expect(
                404,
                "TRANSACTION_NOT_FOUND",
                seen,
                () -> new TransactionsApi(client).transactionByReference("gen_none", null));
        expect(
                409,
                "IDEMPOTENCY_CONFLICT",
                seen,
                () -> wallets.topup(new TopupRequest()
                        .userId("gen_carol")
                        .assetCode(GOLD)
                        .amount(6L)
                        .referenceId("gen_c_1")));
        expect(
                422,
                "INSUFFICIENT_FUNDS",
                seen,
                () -> wallets.spend(new SpendRequest()
                        .userId("gen_carol")
                        .assetCode(GOLD)
                        .amount(6L)
                        .referenceId("gen_c_4")));
        expect(400, "VALIDATION_FAILED", seen, () -> wallets.history("gen_carol", GOLD, 0, null, null));
        expect(400, "VALIDATION_FAILED", seen, () -> wallets.balance("gen_carol", GOLD, null, "not/a position"));
        assertEquals(5, seen.size(), seen.toString());
    }

    private static void expect(int status, String code, Set<String> seen, Executable call) throws Exception {
        ApiException e = assertThrows(ApiException.class, call);
        assertEquals(status, e.getCode(), e.getResponseBody());
        Error error = client.getObjectMapper().readValue(e.getResponseBody(), Error.class);
        assertEquals(code, error.getError().getCode());
        assertNotNull(error.getError().getMessage());
        assertTrue(e.getResponseHeaders().firstValue("x-request-id").isPresent());
        seen.add(status + " " + code);
    }
}
