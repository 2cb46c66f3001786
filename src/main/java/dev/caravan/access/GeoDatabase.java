package dev.caravan.access;

import com.maxmind.db.CHMCache;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CountryResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A loaded MaxMind GeoIP2 / GeoLite2 Country or City database, held in memory (so the file can be replaced at any
 * time) and asked for the ISO country of an address.
 */
final class GeoDatabase {

    static final FileFormat<GeoDatabase> FORMAT = new FileFormat<>() {
        @Override
        public String what() {
            return "GeoIP data";
        }

        @Override
        public GeoDatabase parse(Path file, byte[] content) throws FileFormatException {
            return GeoDatabase.parse(file, content);
        }
    };

    private final DatabaseReader reader;

    private GeoDatabase(DatabaseReader reader) {
        this.reader = reader;
    }

    static GeoDatabase parse(Path file, byte[] content) throws FileFormatException {
        DatabaseReader reader;
        try {
            reader = new DatabaseReader.Builder(new ByteArrayInputStream(content)).withCache(new CHMCache()).build();
        } catch (IOException | RuntimeException e) {
            throw new FileFormatException(file, "not a MaxMind database: " + e.getMessage(), e);
        }
        String type = reader.getMetadata().getDatabaseType();
        if (!type.contains("Country") && !type.contains("City") && !type.contains("Enterprise")) {
            throw new FileFormatException(file, 0, "a " + type + " database has no countries; a GeoIP2 or GeoLite2"
                    + " Country or City database is needed");
        }
        return new GeoDatabase(reader);
    }

    /** The ISO 3166 country code of an address, or null when the database has none for it. */
    String countryOf(InetAddress address) {
        if (address == null) {
            return null;
        }
        try {
            Optional<CountryResponse> response = reader.tryCountry(address);
            return response.map(r -> r.getCountry().getIsoCode()).orElse(null);
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            return null; // a damaged record: no country, which the rule's default decides
        }
    }
}
