package dev.caravan.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records what is logged while it is open, under the logging configuration Caravan ships
 * ({@code src/main/resources/logback.xml}, so levels are the ones an operator gets), then puts the tests' own
 * configuration back. Tests run one at a time, so swapping the configuration is safe.
 */
public final class LogCapture implements AutoCloseable {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    public LogCapture() {
        configure(LogCapture.class.getResource("/logback.xml"));
        appender.setContext(context);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    /** Everything logged so far at {@code level} or above, as "LEVEL logger - message" lines. */
    public List<String> lines(Level level) {
        return events(e -> e.getLevel().isGreaterOrEqual(level)).stream()
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()).toList();
    }

    /** The events matching, oldest first. */
    public List<ILoggingEvent> events(Predicate<ILoggingEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    public void clear() {
        events.clear();
    }

    @Override
    public void close() {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        appender.stop();
        configure(LogCapture.class.getResource("/logback-test.xml"));
    }

    private void configure(URL config) {
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot configure logging from " + config, e);
        }
    }
}
