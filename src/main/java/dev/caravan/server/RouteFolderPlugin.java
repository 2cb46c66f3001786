package dev.caravan.server;

import dev.caravan.config.ValidationContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.ContextServicePlugin;

/**
 * Starts Caravan in a host's Camel context whose properties name a route folder ({@code caravan.routes.dir}), even
 * when none of the host's own routes uses a {@code caravan:} endpoint: the folder's routes load, the listeners bind,
 * and the folder is watched. Camel finds this plugin for every context (Java service loader); a context without that
 * property is left exactly as it was.
 */
public final class RouteFolderPlugin implements ContextServicePlugin {

    @Override
    public void load(CamelContext context) {
        if (ValidationContext.isValidation(context)) {
            return;
        }
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                    // the host's routes are not started yet
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                    boolean folder = started.getPropertiesComponent().resolveProperty(CaravanServer.ROUTES_DIR)
                            .filter(v -> !v.isBlank()).isPresent();
                    if (folder && CaravanServer.find(started).isEmpty()) {
                        CaravanServer.of(started); // the context runs: it loads the folder and binds now
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("Cannot watch the Camel context's start: " + e.getMessage(), e);
        }
    }
}
