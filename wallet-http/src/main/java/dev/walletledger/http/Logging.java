package dev.walletledger.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** Configures logback from {@code LOG_LEVEL} and {@code LOG_FORMAT}, once, in {@code main}. */
final class Logging {
    private Logging() {}

    static void configure(String level, boolean json) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (json) {
            JsonEncoder jsonEncoder = new JsonEncoder();
            jsonEncoder.setContext(context);
            jsonEncoder.start();
            encoder = jsonEncoder;
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setContext(context);
            pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level %logger{20} - %msg %kvp%n");
            pattern.start();
            encoder = pattern;
        }
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        root.setLevel(Level.toLevel(level, Level.INFO));
        Level libraries = root.getLevel().isGreaterOrEqual(Level.INFO) ? Level.WARN : root.getLevel();
        for (String name :
                new String[] {"io.zonky", "org.flywaydb", "com.zaxxer.hikari", "io.undertow", "org.xnio", "org.jboss"
                }) {
            context.getLogger(name).setLevel(libraries);
        }
    }
}
