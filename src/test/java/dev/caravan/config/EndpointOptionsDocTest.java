package dev.caravan.config;

import org.apache.camel.spi.UriParam;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every endpoint option is written once, with its default, in its configuration class; the README's option tables
 * must list exactly those options with exactly those defaults.
 */
class EndpointOptionsDocTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "caravan, dev.caravan.listen.CaravanConfiguration",
        "caravan-forward, dev.caravan.forward.ForwardConfiguration",
        "caravan-headers, dev.caravan.rewrite.HeadersConfiguration",
        "caravan-rewrite, dev.caravan.rewrite.RewriteConfiguration",
        "caravan-redirect, dev.caravan.rewrite.RedirectConfiguration",
        "caravan-rate-limit, dev.caravan.limits.RateLimitConfiguration",
        "caravan-hide, dev.caravan.harden.HideConfiguration",
        "caravan-security-headers, dev.caravan.harden.SecurityHeadersConfiguration",
        "caravan-ip, dev.caravan.access.IpRulesConfiguration",
        "caravan-apikey, dev.caravan.access.ApiKeyConfiguration",
        "caravan-basic, dev.caravan.access.BasicAuthConfiguration",
        "caravan-jwt, dev.caravan.access.JwtConfiguration",
        "caravan-geo, dev.caravan.access.GeoConfiguration",
        "caravan-cors, dev.caravan.access.CorsConfiguration",
        "caravan-access-log, dev.caravan.observe.AccessLogConfiguration",
        "caravan-cache, dev.caravan.cache.CacheConfiguration",
        "caravan-compress, dev.caravan.compress.CompressConfiguration",
        "caravan-idempotent, dev.caravan.idempotent.IdempotentConfiguration",
    })
    void theReadmeTableMatchesTheConfigurationClass(String scheme, String configurationClass) throws Exception {
        Map<String, String> documented = table(scheme);
        Map<String, String> declared = new TreeMap<>();
        for (Field field : Class.forName(configurationClass).getDeclaredFields()) {
            UriParam param = field.getAnnotation(UriParam.class);
            if (param != null) {
                declared.put(field.getName(), param.defaultValue().isEmpty() ? "none" : param.defaultValue());
            }
        }
        assertEquals(declared, documented, "README table for " + scheme + ": option -> default");
    }

    /** The table after {@code <!-- options: scheme ...-->}: option name -> default (without backticks). */
    private static Map<String, String> table(String scheme) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("<!-- options: " + scheme + " ")) {
                start = i;
            }
        }
        if (start < 0) {
            throw new AssertionError("README has no '<!-- options: " + scheme + " ' marker before its option table");
        }
        Map<String, String> rows = new TreeMap<>();
        for (int i = start + 3; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            rows.put(cells[1].trim().replace("`", ""), cells[2].trim().replace("`", ""));
        }
        return rows;
    }
}
