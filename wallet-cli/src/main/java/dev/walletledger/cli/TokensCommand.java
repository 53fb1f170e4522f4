package dev.walletledger.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.walletledger.core.UserIds;
import dev.walletledger.core.WalletException;
import dev.walletledger.http.tokens.Ed25519Jws;
import dev.walletledger.http.tokens.TokenKeys;
import dev.walletledger.http.tokens.TokenSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wallet tokens keygen} and {@code wallet tokens mint}: a signing key for player tokens, and a token made
 * with it, for trying the server's player tokens and for issuers that are scripts. A game's backend mints its own
 * with any JWT library (wallet-http's README has the Java code); these commands make exactly what the server
 * accepts. Neither needs a database.
 */
final class TokensCommand {
    /** The longest lifetime {@code mint} makes: the server's default bound ({@code WALLET_TOKEN_MAX_TTL_SECONDS}). */
    static final long TTL_SECONDS_MAX = TokenSettings.MAX_TTL_SECONDS_DEFAULT;
    /** A private JWK is well under 1 KiB; more is not one. */
    private static final int KEY_FILE_BYTES_MAX = 64 * 1024;

    private static final Pattern TTL = Pattern.compile("([0-9]{1,6})([smh])");

    private TokensCommand() {}

    static List<Command> all() {
        return List.of(new Keygen(), new Mint(Clock.systemUTC()));
    }

    /** {@code wallet tokens keygen}. */
    static final class Keygen implements Command {
        private static final Synopsis SYNOPSIS = new Synopsis(
                "tokens keygen",
                "make a key pair that signs player tokens: the private key to a file, the public one printed",
                "wallet tokens keygen --kid KID [--alg EdDSA|ES256] --private-out FILE",
                """
                Writes a new private signing key (a JWK) to FILE, readable by its owner only (mode 600), and
                prints the public key as a JWK Set: add its key to the server's WALLET_TOKEN_KEYS_FILE (the
                server reads the file again within 2 s). The private key stays with the token issuer (the
                game's backend); the server never needs it. To rotate, make a key with a new kid, add it to
                the server's file, move the issuer to it, and remove the old one once its tokens expired.
                FILE must not exist yet.""",
                List.of(),
                0,
                List.of(
                        Args.Option.value(
                                "--kid",
                                "KID",
                                "the key's id, named by each token: 1-64 of A-Z, a-z," + " 0-9, ., _ and -"),
                        Args.Option.value("--alg", "ALG", "EdDSA (Ed25519) or ES256 (P-256) (EdDSA)"),
                        Args.Option.value("--private-out", "FILE", "where to write the private key (mode 600)")));

        @Override
        public Synopsis synopsis() {
            return SYNOPSIS;
        }

        @Override
        public ExitCode run(Invocation call) {
            String kid = call.required("--kid");
            if (!TokenKeys.KID.matcher(kid).matches()) {
                throw new UsageException("--kid must be 1-64 of A-Z, a-z, 0-9, ., _ and -, starting with a letter or"
                        + " digit, got " + Args.quoted(kid));
            }
            String alg = call.args.value("--alg").orElse("EdDSA");
            Path out = path("--private-out", call.required("--private-out"));
            JWK key = switch (alg) {
                case "EdDSA" -> Ed25519Jws.generate(kid);
                case "ES256" -> p256(kid);
                default -> throw new UsageException("--alg must be EdDSA or ES256, got " + Args.quoted(alg));
            };
            writePrivate(out, key.toJSONString() + "\n");
            call.out.println(new JWKSet(key.toPublicJWK()).toString(true));
            return ExitCode.OK;
        }

        private static JWK p256(String kid) {
            try {
                return new ECKeyGenerator(Curve.P_256)
                        .keyID(kid)
                        .algorithm(JWSAlgorithm.ES256)
                        .keyUse(KeyUse.SIGNATURE)
                        .generate();
            } catch (JOSEException e) {
                throw new IllegalStateException("this JDK cannot make P-256 keys", e);
            }
        }

        /** Created with mode 600 from the start (never readable by others, even for a moment), never overwritten. */
        private static void writePrivate(Path out, String text) {
            try (OutputStream stream = Files.newOutputStream(
                    Files.createFile(
                            out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    StandardOpenOption.WRITE)) {
                stream.write(text.getBytes(StandardCharsets.UTF_8));
            } catch (FileAlreadyExistsException e) {
                throw new UsageException("--private-out " + out + " exists already; it is never overwritten");
            } catch (UnsupportedOperationException e) {
                throw new UsageException("--private-out " + out + ": this file system cannot make a file readable by"
                        + " its owner only");
            } catch (IOException e) {
                throw new UsageException("--private-out " + out + " cannot be written: " + e.getMessage());
            }
        }
    }

    /** {@code wallet tokens mint}. */
    static final class Mint implements Command {
        private static final Synopsis SYNOPSIS = new Synopsis(
                "tokens mint",
                "make a player token for USER, signed with a key from 'wallet tokens keygen'",
                "wallet tokens mint USER --key FILE --ttl 15m [--audience A] [--issuer I]",
                """
                Prints a token (a JWS) that lets USER read their own wallet over HTTP for the TTL: send it as
                "Authorization: Bearer <token>". Its claims: sub USER, aud (wallet-ledger unless --audience),
                iat now, exp now + TTL, iss when --issuer is given; its header names the key's kid. TTL is a
                whole number of s, m or h, at most 24h (the server refuses longer-lived tokens by default).""",
                List.of("USER"),
                1,
                List.of(
                        Args.Option.value("--key", "FILE", "a private key written by 'wallet tokens keygen'"),
                        Args.Option.value("--ttl", "TTL", "how long the token lives: 30s, 15m, 2h (at most 24h)"),
                        Args.Option.value(
                                "--audience",
                                "A",
                                "the aud claim: the server's WALLET_TOKEN_AUDIENCE (" + TokenSettings.AUDIENCE_DEFAULT
                                        + ")"),
                        Args.Option.value("--issuer", "I", "the iss claim: the server's WALLET_TOKEN_ISSUER, if set")));

        private final Clock clock;

        Mint(Clock clock) {
            this.clock = clock;
        }

        @Override
        public Synopsis synopsis() {
            return SYNOPSIS;
        }

        @Override
        public ExitCode run(Invocation call) {
            String user;
            try {
                user = UserIds.normalized("USER", call.positional(0));
            } catch (WalletException e) {
                throw new UsageException(
                        "USER must be a user id: 1-100 characters, no control characters, no" + " surrounding spaces");
            }
            long ttl = ttlSeconds(call.required("--ttl"));
            Path file = path("--key", call.required("--key"));
            JWK key = privateKey(file);
            Instant now = clock.instant();
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                    .subject(user)
                    .audience(call.args.value("--audience").orElse(TokenSettings.AUDIENCE_DEFAULT))
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plusSeconds(ttl)));
            call.args.value("--issuer").ifPresent(claims::issuer);
            String token = sign(key, claims.build());
            if (call.json()) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("token", token);
                document.put("kid", key.getKeyID());
                document.put("sub", user);
                document.put("expires_at", now.plusSeconds(ttl).toString());
                call.printJson(document);
            } else {
                call.out.println(token);
            }
            return ExitCode.OK;
        }

        /** {@code 15m} to 900: a whole number of seconds, minutes or hours, from 1 s to {@link #TTL_SECONDS_MAX}. */
        static long ttlSeconds(String text) {
            Matcher m = TTL.matcher(text);
            if (!m.matches()) {
                throw new UsageException(
                        "--ttl must be a whole number of s, m or h (30s, 15m, 2h), got " + Args.quoted(text));
            }
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                default -> 3600;
            };
            long seconds = Long.parseLong(m.group(1)) * unit;
            if (seconds < 1 || seconds > TTL_SECONDS_MAX) {
                throw new UsageException("--ttl must be from 1s to 24h, got " + Args.quoted(text));
            }
            return seconds;
        }

        private static JWK privateKey(Path file) {
            String text;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(KEY_FILE_BYTES_MAX + 1);
                if (bytes.length > KEY_FILE_BYTES_MAX) {
                    throw new UsageException("--key " + file + " is over " + KEY_FILE_BYTES_MAX + " bytes: not a key");
                }
                text = new String(bytes, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException("--key " + file + " cannot be read: " + e.getMessage());
            }
            JWK key;
            try {
                key = JWK.parse(text);
            } catch (ParseException e) {
                throw new UsageException("--key " + file + " is not a JWK ('wallet tokens keygen' writes one)");
            }
            if (!key.isPrivate()) {
                throw new UsageException("--key " + file + " holds a public key; mint needs the private one");
            }
            if (key.getKeyID() == null || !TokenKeys.KID.matcher(key.getKeyID()).matches()) {
                throw new UsageException("--key " + file + " has no usable kid");
            }
            return key;
        }

        private static String sign(JWK key, JWTClaimsSet claims) {
            try {
                JWSSigner signer;
                JWSAlgorithm alg;
                if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                    signer = new Ed25519Jws.Signer(Ed25519Jws.privateKey(okp));
                    alg = JWSAlgorithm.EdDSA;
                } else if (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                    signer = new ECDSASigner(ec);
                    alg = JWSAlgorithm.ES256;
                } else {
                    throw new UsageException("--key must be an Ed25519 or P-256 key");
                }
                SignedJWT jwt = new SignedJWT(
                        new JWSHeader.Builder(alg)
                                .keyID(key.getKeyID())
                                .type(JOSEObjectType.JWT)
                                .build(),
                        claims);
                jwt.sign(signer);
                return jwt.serialize();
            } catch (JOSEException | IllegalArgumentException e) {
                throw new UsageException("--key cannot sign: " + e.getMessage());
            }
        }
    }

    private static Path path(String option, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new UsageException(option + " is not a path: " + Args.quoted(text));
        }
    }
}
