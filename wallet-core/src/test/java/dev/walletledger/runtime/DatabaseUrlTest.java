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
    void libpqMultiHostWithTargetSessionAttrsBecomesAJdbcMultiHostUrl() {
        DatabaseUrl url = DatabaseUrl.parse(
                "postgresql://app:pw@pg1:5432,pg2:5433,pg3/wallet?target_session_attrs=read-write&sslmode=require");
        assertEquals(
                "jdbc:postgresql://pg1:5432,pg2:5433,pg3:5432/wallet?targetServerType=primary&sslmode=require",
                url.jdbcUrl());
        assertEquals("app", url.user());
        assertEquals("pw", url.password());
        assertEquals(
                "jdbc:postgresql://[::1]:5432,[fe80::1]:6432/db?targetServerType=preferSecondary&connectTimeout=3",
                DatabaseUrl.parse(
                                "postgres://[::1],[fe80::1]:6432/db?target_session_attrs=prefer-standby&connect_timeout=3")
                        .jdbcUrl());
        assertEquals(
                "jdbc:postgresql://a:5432,b:5432/postgres?targetServerType=secondary",
                DatabaseUrl.parse("postgresql://a,b?target_session_attrs=read-only")
                        .jdbcUrl());
    }

    @Test
    void libpqHostListsAreCheckedWithoutEchoingThePassword() {
        for (String bad : new String[] {
            "postgresql://u:hunter2@a,,b/db",
            "postgresql://u:hunter2@a:99999/db",
            "postgresql://u:hunter2@[::1/db",
            "postgresql://u:hunter2@a/db?target_session_attrs=whatever",
            "postgresql://u:hunter2@/db"
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(bad));
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
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
