package dev.caravan.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the access-log lines ({@code caravan.access} at INFO) while open; the tests' logging stays at WARN. */
final class AccessLogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger(RequestObserver.ACCESS_LOGGER);
    private final Level before = logger.getLevel();
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    AccessLogCapture() {
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // recorded here, not also printed by the tests' console appender
    }

    List<String> lines() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The line that holds {@code text}, or null. */
    String lineWith(String text) {
        return lines().stream().filter(l -> l.contains(text)).findFirst().orElse(null);
    }

    void clear() {
        events.clear();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(before);
        logger.setAdditive(true);
    }
}
