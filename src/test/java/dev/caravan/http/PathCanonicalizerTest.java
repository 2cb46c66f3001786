package dev.caravan.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One meaning per path: what routes and rules see, whatever the spelling. */
class PathCanonicalizerTest {

    private final PathCanonicalizer strict = new PathCanonicalizer(true, false);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/admin                | /admin",
        "/%61dmin              | /admin",
        "/%61%64%6D%69%6E      | /admin",
        "/./admin              | /admin",
        "//admin               | /admin",
        "/x/../admin           | /admin",
        "/x/%2e%2e/admin       | /admin",
        "/x/%2E./admin         | /admin",
        "/admin;x              | /admin",
        "/admin;jsessionid=1/y | /admin/y",
        "/x/..;/admin          | /admin",
        "/admin/               | /admin/",
        "/admin/.              | /admin/",
        "/a/b/..               | /a/",
        "/a/%7e/b              | /a/~/b",
        "/a%20b                | /a%20b",
        "/a%3fb                | /a%3Fb",
        "/caf\u00c3\u00a9      | /caf%C3%A9",
        "/caf%c3%a9            | /caf%C3%A9",
        "/                     | /",
        "*                     | *",
    })
    void oneMeaning(String raw, String canonical) {
        assertEquals(canonical, strict.canonical(raw));
    }

    /** The usual path is its own canonical form: given back as it is, not rebuilt (every request asks). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/", "/admin", "/admin/", "/api/v1/users/42", "/static/app.min.js", "/a-b_c~d/e.f", "/a/b./c", "/x:y@z",
    })
    void aCanonicalPathIsGivenBackAsItIs(String raw) {
        assertSame(raw, strict.canonical(raw));
        assertSame(raw, new PathCanonicalizer(false, true).canonical(raw));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/../admin",
        "/x/../../admin",
        "/%2e%2e/admin",
        "/..;/admin",
        "/admin%2f",
        "/admin%2Fx",
        "/a%5cb",
        "/a\\b",
        "/a%00b",
        "/%252e%252e/admin",
        "/%252F",
        "/a%zz",
        "/a%4",
    })
    void refused(String raw) {
        assertThrows(PathCanonicalizer.InvalidPathException.class, () -> strict.canonical(raw));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/group%2fproject/x | /group%2Fproject/x",
        "//a//b             | //a//b",
    })
    void optionsKeepEncodedSlashesAndEmptySegments(String raw, String canonical) {
        assertEquals(canonical, new PathCanonicalizer(false, true).canonical(raw));
    }
}
