package dev.walletledger.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
    @Test
    void seedFormWithUserAndPassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://wallet:s3cret@db:5433/wallet_db");
        assertEquals("jdbc:postgresql://db:5433/wallet_db", url.jdbcUrl());
        assertEquals("wallet", url.user());
        assertEquals("s3cret", url.password());
    }

    @Test
    void postgresSchemeDefaultPortAndQueryKept() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://u@localhost/db?sslmode=require");
        assertEquals("jdbc:postgresql://localhost:5432/db?sslmode=require", url.jdbcUrl());
        assertEquals("u", url.user());
        assertNull(url.password());
    }

    @Test
    void passwordIsUrlDecoded() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://us%40er:p%3Aa%2Fss+w@127.0.0.1:5432/db");
        assertEquals("us@er", url.user());
        assertEquals("p:a/ss+w", url.password());
    }

    @Test
    void jdbcFormTakesUserAndPasswordOutOfTheUrl() {
        DatabaseUrl url =
                DatabaseUrl.parse("jdbc:postgresql://localhost:5432/wallet?user=app&password=p%26w&sslmode=disable");
        assertEquals("jdbc:postgresql://localhost:5432/wallet?sslmode=disable", url.jdbcUrl());
        assertEquals("app", url.user());
        assertEquals("p&w", url.password());
    }

    @Test
    void jdbcFormWithoutCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://localhost/wallet");
        assertEquals("jdbc:postgresql://localhost/wallet", url.jdbcUrl());
        assertNull(url.user());
    }

    @Test
    void toStringMasksThePassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://wallet:s3cret@db:5432/wallet");
        assertFalse(url.toString().contains("s3cret"), url.toString());
        assertTrue(url.toString().contains("****"));
    }

    @Test
    void refusesOtherSchemesWithoutEchoingTheText() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("mysql://root:hunter2@db/x"));
        assertFalse(e.getMessage().contains("hunter2"));
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class, () -> DatabaseUrl.parse("postgresql://u:hunter2@db:notaport/x y"));
        assertFalse(bad.getMessage().contains("hunter2"));
    }
}
