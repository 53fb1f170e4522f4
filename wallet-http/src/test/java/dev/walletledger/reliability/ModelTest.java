package dev.walletledger.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.walletledger.core.IsolationLevel;
import dev.walletledger.core.Operation;
import dev.walletledger.testing.TestDatabase;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * R9, model-based: seeded random sequences of top-ups, bonuses, spends and balance reads over HTTP, with
 * exact replays, conflicting reuses of a reference (other amount, user or endpoint) and edge amounts
 * (0, 1, −1, the maximum, the maximum + 1), each checked against an in-memory reference model: status,
 * error code, balance after, and a replay's bytes (a refusal's too: the model binds each reference to its first outcome, as the ledger does). On a mismatch the sequence is shrunk (drop chunks, then
 * single steps, while it still fails; bounded) and the smallest reproducer is printed with its seed.
 * Each sequence runs in a namespace of its own (user and reference prefixes) in one schema.
 */
class ModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHRINK_RUNS_MAX = 300;

    /** One step of a sequence. {@code type} null: a balance read of {@code user}. */
    record Step(Op.Type type, int user, long amount, int key) {
        @Override
        public String toString() {
            return type == null ? "balance(u" + user + ")" : type + "(u" + user + ", " + amount + ", k" + key + ")";
        }
    }

    @Test
    void everyResponseMatchesTheModel() throws Exception {
        Run run = Run.start("R9 model");
        int sequences = run.pick(120, 2_000);
        String schema = TestDatabase.newSchemaName();
        AtomicLong namespaces = new AtomicLong();
        long steps = 0;
        int counterexamples = 0;
        try (LedgerService service =
                LedgerService.start(TestDatabase.jdbcUrl(), schema, IsolationLevel.READ_COMMITTED, 8)) {
            HttpLedgerClient client = new HttpLedgerClient(service::port, Duration.ofSeconds(30), 1, 30_000);
            for (int s = 0; s < sequences; s++) {
                long seed = run.seed() + s;
                List<Step> sequence = generate(new Random(seed));
                steps += sequence.size();
                String mismatch = execute(client, sequence, "m" + namespaces.incrementAndGet());
                if (mismatch != null) {
                    counterexamples++;
                    List<Step> small = shrink(client, sequence, namespaces);
                    String again = execute(client, small, "m" + namespaces.incrementAndGet());
                    throw new AssertionError("sequence seed " + seed + " (run seed " + run.seed() + ", sequence " + s
                            + ") breaks the model: " + mismatch + "\nshrunk from " + sequence.size() + " to "
                            + small.size() + " steps: " + small + "\nwhich fails with: " + again);
                }
            }
            List<String> violations =
                    LedgerSnapshot.read(TestDatabase.jdbcUrl(), schema).violations(Set.copyOf(usersOf(schema)));
            assertTrue(violations.isEmpty(), violations.toString());
        }
        run.summary("R9 sequences=" + sequences + " steps=" + steps + " counterexamples=" + counterexamples);
    }

    /** Every USER owner in the schema (the snapshot's "known wallets" check is not what this test is about). */
    private static List<String> usersOf(String schema) throws Exception {
        List<String> out = new ArrayList<>();
        LedgerSnapshot.read(TestDatabase.jdbcUrl(), schema).wallets.forEach(w -> out.add(w.owner()));
        return out;
    }

    static List<Step> generate(Random random) {
        int length = 10 + random.nextInt(50);
        List<Step> steps = new ArrayList<>();
        int keys = 0;
        for (int i = 0; i < length; i++) {
            int dice = random.nextInt(100);
            int user = random.nextInt(3);
            if (dice < 12 || steps.isEmpty()) {
                steps.add(new Step(null, user, 0, 0));
            } else if (dice < 30) {
                Step earlier = steps.get(random.nextInt(steps.size())); // an exact replay (or a read again)
                steps.add(earlier);
            } else if (dice < 40) {
                Step earlier = steps.get(random.nextInt(steps.size())); // reuse a reference differently
                Op.Type type = Op.Type.values()[random.nextInt(3)];
                steps.add(new Step(type, random.nextInt(3), amount(random), earlier.key));
            } else {
                Op.Type type = dice < 60 ? Op.Type.TOPUP : dice < 70 ? Op.Type.BONUS : Op.Type.SPEND;
                steps.add(new Step(type, user, amount(random), ++keys));
            }
        }
        return steps;
    }

    private static long amount(Random random) {
        int dice = random.nextInt(100);
        if (dice < 3) {
            return 0;
        }
        if (dice < 6) {
            return -1 - random.nextInt(1_000);
        }
        if (dice < 9) {
            return Operation.AMOUNT_MAX + (random.nextBoolean() ? 0 : 1);
        }
        if (dice < 14) {
            return 1;
        }
        return 1 + random.nextInt(5_000);
    }

    /** Runs the steps in namespace {@code ns}; returns the first mismatch with the model, or null. */
    static String execute(HttpLedgerClient client, List<Step> steps, String ns) {
        Map<Integer, Long> balances = new HashMap<>();
        Map<Integer, Step> recorded = new HashMap<>();
        Map<Integer, Integer> statuses = new HashMap<>();
        Map<Integer, byte[]> bodies = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String where = "step " + i + " " + step + ": ";
            try {
                String mismatch = step.type == null
                        ? read(client, step, ns, balances)
                        : write(client, step, ns, balances, recorded, statuses, bodies);
                if (mismatch != null) {
                    return where + mismatch;
                }
            } catch (IOException e) {
                return where + "no answer: " + e;
            }
        }
        for (int user = 0; user < 3; user++) {
            try {
                String mismatch = read(client, new Step(null, user, 0, 0), ns, balances);
                if (mismatch != null) {
                    return "final state of u" + user + ": " + mismatch;
                }
            } catch (IOException e) {
                return "final read: " + e;
            }
        }
        return null;
    }

    private static String read(HttpLedgerClient client, Step step, String ns, Map<Integer, Long> balances)
            throws IOException {
        HttpResponse<byte[]> answer = client.get(
                "/api/v1/wallets/" + ns + "_u" + step.user + "/balance?asset_code=" + HttpLedgerClient.ASSET);
        Long balance = balances.get(step.user);
        if (balance == null) {
            return expect(answer, 404, "WALLET_NOT_FOUND");
        }
        String status = expect(answer, 200, null);
        if (status != null) {
            return status;
        }
        long got = json(answer).path("balance").asLong(-1);
        return got == balance ? null : "balance " + got + ", the model says " + balance;
    }

    private static String write(
            HttpLedgerClient client,
            Step step,
            String ns,
            Map<Integer, Long> balances,
            Map<Integer, Step> recorded,
            Map<Integer, Integer> statuses,
            Map<Integer, byte[]> bodies)
            throws IOException {
        Op op = new Op(ns + "_k" + step.key, step.type, ns + "_u" + step.user, step.amount);
        HttpResponse<byte[]> answer = client.post(op.path(), op.json(HttpLedgerClient.ASSET));
        if (step.amount < 1 || step.amount > Operation.AMOUNT_MAX) {
            return expect(answer, 400, "VALIDATION_FAILED");
        }
        Step earlier = recorded.get(step.key);
        if (earlier != null) {
            if (!earlier.equals(step)) {
                return expect(answer, 409, "IDEMPOTENCY_CONFLICT");
            }
            // The reference is bound to its first outcome: a transaction (201, replayed as 200) or a refusal
            // (replayed as itself), byte for byte, marked as a replay.
            int first = statuses.get(step.key);
            String status = expect(answer, first == 201 ? 200 : first, null);
            if (status != null) {
                return status;
            }
            if (!"true"
                    .equals(answer.headers().firstValue("Idempotent-Replayed").orElse(null))) {
                return "a replay without Idempotent-Replayed: true: " + text(answer);
            }
            return Arrays.equals(bodies.get(step.key), answer.body())
                    ? null
                    : "the replay differs from the original: " + text(answer);
        }
        long balance = balances.getOrDefault(step.user, -1L);
        if (step.type == Op.Type.SPEND && balance < 0) {
            return bound(expect(answer, 404, "WALLET_NOT_FOUND"), step, answer, recorded, statuses, bodies);
        }
        if (step.type == Op.Type.SPEND && balance < step.amount) {
            return bound(expect(answer, 422, "INSUFFICIENT_FUNDS"), step, answer, recorded, statuses, bodies);
        }
        long after = Math.max(0, balance) + op.effect();
        String status = expect(answer, 201, null);
        if (status != null) {
            return status;
        }
        JsonNode body = json(answer);
        if (body.path("balance").asLong(-1) != after
                || body.path("amount").asLong(-1) != step.amount
                || !body.path("type").asText().equals(step.type.name())
                || !body.path("reference_id").asText().equals(op.key)
                || !body.path("user_id").asText().equals(op.user)) {
            return "the answer " + text(answer) + " disagrees with the model (balance after " + after + ")";
        }
        balances.put(step.user, after);
        return bound(null, step, answer, recorded, statuses, bodies);
    }

    /** Unless the answer was wrong ({@code mismatch}): the model binds the step's reference to it. */
    private static String bound(
            String mismatch,
            Step step,
            HttpResponse<byte[]> answer,
            Map<Integer, Step> recorded,
            Map<Integer, Integer> statuses,
            Map<Integer, byte[]> bodies) {
        if (mismatch == null) {
            recorded.put(step.key, step);
            statuses.put(step.key, answer.statusCode());
            bodies.put(step.key, answer.body());
        }
        return mismatch;
    }

    private static String expect(HttpResponse<byte[]> answer, int status, String code) {
        if (answer.statusCode() != status) {
            return "status " + answer.statusCode() + " " + text(answer) + ", the model says " + status
                    + (code == null ? "" : " " + code);
        }
        if (code != null && !json(answer).path("error").path("code").asText().equals(code)) {
            return "code " + text(answer) + ", the model says " + code;
        }
        return null;
    }

    /** Greedy: drop chunks (halves, quarters, ... single steps) while the sequence still fails; bounded. */
    static List<Step> shrink(HttpLedgerClient client, List<Step> failing, AtomicLong namespaces) {
        List<Step> current = new ArrayList<>(failing);
        int runs = 0;
        for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && runs < SHRINK_RUNS_MAX; chunk /= 2) {
            boolean progress = true;
            while (progress && runs < SHRINK_RUNS_MAX) {
                progress = false;
                for (int from = 0; from + chunk <= current.size() && runs < SHRINK_RUNS_MAX; from += chunk) {
                    List<Step> candidate = new ArrayList<>(current.subList(0, from));
                    candidate.addAll(current.subList(from + chunk, current.size()));
                    runs++;
                    if (!candidate.isEmpty()
                            && execute(client, candidate, "m" + namespaces.incrementAndGet()) != null) {
                        current = candidate;
                        progress = true;
                        break;
                    }
                }
            }
        }
        return current;
    }

    private static JsonNode json(HttpResponse<byte[]> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String text(HttpResponse<byte[]> answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }
}
