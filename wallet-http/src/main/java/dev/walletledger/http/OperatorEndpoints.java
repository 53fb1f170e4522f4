package dev.walletledger.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.UserPage;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.wire.Json;
import dev.walletledger.http.wire.Requests;
import java.io.IOException;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What an operator (the console, a support tool) needs beyond the wallet routes: finding users by the start of
 * their id, the ledger's audit run in the background with its progress, and anchors.
 */
final class OperatorEndpoints {
    /** User search is a read, and the support console's too. */
    private static final Set<Scope> READ = Scope.anyOf(Scope.READ, Scope.SUPPORT);

    private static final Set<Scope> ADMIN = Scope.anyOf(Scope.ADMIN);
    private static final int USERS_LIMIT_DEFAULT = 20;
    private static final Pattern LIMIT_TEXT = Pattern.compile("[0-9]{1,3}");

    private final Ledger ledger;
    private final VerifyRuns verifyRuns;

    OperatorEndpoints(Ledger ledger, Clock clock) {
        this.ledger = ledger;
        this.verifyRuns = new VerifyRuns(ledger, clock);
    }

    List<Route> routes() {
        return List.of(
                Route.get("/api/v1/wallets", List.of("prefix", "cursor", "limit"), READ, this::users),
                // The audit reads every row and the anchor locks the entries briefly: the operators' scope.
                Route.post("/api/v1/verify", ADMIN, this::startVerify),
                Route.get("/api/v1/verify/{run_id}", List.of(), ADMIN, this::verifyRun),
                Route.action("/api/v1/anchor", ADMIN, this::takeAnchor),
                Route.get("/api/v1/anchor", List.of(), ADMIN, call -> anchor(verifyRuns.lastAnchor())));
    }

    private HttpResponse users(Call call) {
        String prefix = call.query("prefix");
        String limitText = call.query("limit");
        int limit = USERS_LIMIT_DEFAULT;
        if (limitText != null) {
            if (!LIMIT_TEXT.matcher(limitText).matches()) {
                throw WalletException.invalid("limit", "must be a whole number from 1 to " + UserPage.LIMIT_MAX);
            }
            limit = Integer.parseInt(limitText);
        }
        UserPage page = ledger.users(prefix == null ? "" : prefix, call.query("cursor"), limit);
        return HttpResponse.json(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("users");
            for (String user : page.users()) {
                g.writeString(user);
            }
            g.writeEndArray();
            if (page.nextAfter().isPresent()) {
                g.writeStringField("next_cursor", page.nextAfter().get());
            } else {
                g.writeNullField("next_cursor");
            }
            g.writeEndObject();
        }));
    }

    /** Body {@code {}} or {@code {"anchor": "wl1...."}}: also prove history up to that anchor unchanged. */
    private HttpResponse startVerify(Call call) {
        JsonNode body = Json.parse(call.body());
        if (!body.isObject()) {
            throw WalletException.invalid("body", "must be a JSON object: {} or {\"anchor\": \"wl1....\"}");
        }
        Optional<Anchor> anchor = Optional.empty();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("anchor")) {
                throw WalletException.invalid(
                        RouteTable.shorten(name), "is not a field of a verify request (it takes anchor only)");
            }
        }
        JsonNode anchorNode = body.get("anchor");
        if (anchorNode != null && !anchorNode.isNull()) {
            if (!anchorNode.isTextual()) {
                throw WalletException.invalid("anchor", "must be a string such as wl1.<entry id>.<64 hex digits>");
            }
            anchor = Optional.of(Anchor.parse(anchorNode.asText()));
        }
        VerifyRuns.Run run = verifyRuns.start(anchor, call.keyId());
        return HttpResponse.json(202, body(run), Map.of("Location", "/api/v1/verify/" + run.id()));
    }

    private HttpResponse verifyRun(Call call) {
        String text = call.path("run_id");
        Optional<VerifyRuns.Run> run = Requests.UUID_TEXT.matcher(text).matches()
                ? verifyRuns.get(UUID.fromString(text.toLowerCase(Locale.ROOT)))
                : Optional.empty();
        return HttpResponse.json(
                200,
                body(run.orElseThrow(() -> new ApiException(
                        HttpErrorCode.VERIFY_RUN_NOT_FOUND,
                        "there is no verify run " + RouteTable.shorten(text) + " on this server (it keeps the last "
                                + VerifyRuns.KEPT + " runs, in memory)",
                        Map.of("run_id", RouteTable.shorten(text)),
                        Map.of()))));
    }

    private HttpResponse takeAnchor(Call call) {
        return anchor(Optional.of(verifyRuns.takeAnchor(call.keyId())));
    }

    private static HttpResponse anchor(Optional<VerifyRuns.TakenAnchor> taken) {
        return HttpResponse.json(200, Json.write(g -> {
            g.writeStartObject();
            if (taken.isEmpty()) {
                g.writeNullField("anchor");
            } else {
                g.writeObjectFieldStart("anchor");
                g.writeStringField("line", taken.get().anchor().toString());
                g.writeNumberField("entry_id", taken.get().anchor().entryId());
                g.writeStringField("taken_at", Json.timestamp(taken.get().takenAt()));
                writeOptional(g, "actor", taken.get().actor());
                g.writeEndObject();
            }
            g.writeEndObject();
        }));
    }

    private static byte[] body(VerifyRuns.Run run) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("run_id", run.id().toString());
            g.writeStringField("state", run.state());
            g.writeNumberField("done", run.done());
            g.writeNumberField("total", run.total());
            g.writeStringField("started_at", Json.timestamp(run.startedAt()));
            writeOptional(g, "ended_at", run.endedAt().map(Json::timestamp));
            writeOptional(g, "anchor", run.anchor().map(Anchor::toString));
            writeOptional(g, "actor", run.actor());
            writeOptional(g, "error", run.error());
            if (run.report().isPresent()) {
                writeReport(g, run.report().get(), run.anchor().isPresent());
            } else {
                g.writeNullField("report");
            }
            g.writeEndObject();
        });
    }

    private static void writeReport(JsonGenerator g, AuditReport report, boolean anchored) throws IOException {
        g.writeObjectFieldStart("report");
        g.writeBooleanField("consistent", report.consistent());
        g.writeNumberField("assets", report.assets());
        g.writeNumberField("wallets", report.wallets());
        g.writeNumberField("transactions", report.transactions());
        g.writeNumberField("entries", report.entries());
        g.writeNumberField("violation_count", report.violationCount());
        if (anchored) {
            g.writeBooleanField("anchor_matches", report.holds(dev.walletledger.core.AuditCheck.ANCHOR));
        }
        g.writeArrayFieldStart("violations");
        for (AuditReport.Violation violation : report.violations()) {
            g.writeStartObject();
            g.writeStringField("check", violation.check().wireName());
            g.writeStringField("subject", violation.subject());
            g.writeStringField("detail", violation.detail());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("elapsed_millis", report.elapsed().toMillis());
        g.writeEndObject();
    }

    private static void writeOptional(JsonGenerator g, String name, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(name, value.get());
        } else {
            g.writeNullField(name);
        }
    }
}
