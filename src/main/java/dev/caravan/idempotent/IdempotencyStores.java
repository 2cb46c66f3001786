package dev.caravan.idempotent;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every named idempotency store of a Camel context (registry bean {@value #BEAN}), made on first use and kept for
 * the context's life, so keys survive route reloads. Each store is also bound under its name as an
 * {@link IdempotentRepository} for Camel's {@code idempotentConsumer}.
 */
public final class IdempotencyStores {

    public static final String BEAN = "caravanIdempotencyStores";

    private final Map<String, IdempotencyStore> stores = new ConcurrentHashMap<>();

    public static IdempotencyStores of(CamelContext context) {
        Registry registry = context.getRegistry();
        synchronized (registry) {
            IdempotencyStores stores = registry.lookupByNameAndType(BEAN, IdempotencyStores.class);
            if (stores == null) {
                stores = new IdempotencyStores();
                registry.bind(BEAN, IdempotencyStores.class, stores);
            }
            return stores;
        }
    }

    IdempotencyStore obtain(CamelContext context, String name, long maxBytes, long ttlSeconds) {
        IdempotencyStore store = stores.computeIfAbsent(name, n -> new IdempotencyStore(n, maxBytes, ttlSeconds));
        Registry registry = context.getRegistry();
        synchronized (registry) {
            if (registry.lookupByNameAndType(name, IdempotentRepository.class) != store) {
                registry.bind(name, IdempotentRepository.class, store);
            }
        }
        return store;
    }

    public IdempotencyStore get(String name) {
        return stores.get(name);
    }
}
