package dev.caravan.http;

import dev.caravan.server.CaravanServer;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code caravan.io.transport}: each transport this machine has proxies the same requests, both ways, the same. */
class IoTransportTest {

    @Test
    void namesAreReadAsOperatorsWriteThem() {
        assertEquals(IoTransport.IO_URING, IoTransport.parse("io_uring"));
        assertEquals(IoTransport.IO_URING, IoTransport.parse(" io-uring "));
        assertEquals(IoTransport.EPOLL, IoTransport.parse("EPOLL"));
        assertEquals(IoTransport.AUTO, IoTransport.parse("auto"));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> IoTransport.parse("kqueue"));
        assertTrue(wrong.getMessage().contains("auto, io_uring, epoll or nio, was 'kqueue'"), wrong.getMessage());
    }

    @Test
    void autoTakesTheBestTransportAvailable() {
        IoTransport chosen = IoTransport.AUTO.select();
        assertNotEquals(IoTransport.AUTO, chosen);
        IoTransport expected = IoUring.isAvailable() ? IoTransport.IO_URING
                : Epoll.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO;
        assertEquals(expected, chosen);
    }

    @Test
    void aTransportNamedButMissingFailsTheStartSayingWhy() {
        assumeTrue(!IoUring.isAvailable(), "io_uring is available here");
        IllegalStateException missing = assertThrows(IllegalStateException.class, IoTransport.IO_URING::select);
        assertTrue(missing.getMessage().startsWith("caravan.io.transport=io_uring, but it cannot be used here"),
                missing.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = IoTransport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void everyTransportProxiesKeepAliveRequestsAndStreamedBodies(IoTransport transport) throws Exception {
        assumeTrue(transport == IoTransport.NIO
                || (transport == IoTransport.IO_URING ? IoUring.isAvailable() : Epoll.isAvailable()),
                transport.label() + " is not available here");
        try (TestBackend backend = TestBackend.start("uring-or-not");
             DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().addInitialProperty("caravan.http.host", "127.0.0.1");
            context.getPropertiesComponent().addInitialProperty("caravan.http.port", "0");
            context.getPropertiesComponent().addInitialProperty("caravan.https.enabled", "false");
            context.getPropertiesComponent().addInitialProperty("caravan.io.threads", "1");
            context.getPropertiesComponent().addInitialProperty("caravan.io.transport", transport.label());
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("caravan:http").to("caravan-forward:" + backend.url());
                }
            });
            context.start();
            CaravanServer server = CaravanServer.find(context).orElseThrow();
            assertEquals(transport, server.transport());
            byte[] upload = new byte[300_000];
            for (int i = 0; i < upload.length; i++) {
                upload[i] = (byte) (i * 31);
            }
            CRC32 uploaded = new CRC32();
            uploaded.update(upload);
            try (RawHttp http = new RawHttp(server.httpPort())) {
                RawHttp.Response download = http.exchange("GET /download/300000 HTTP/1.1\r\nHost: app\r\n\r\n");
                assertEquals(300_000, download.body().length);
                CRC32 downloaded = new CRC32();
                downloaded.update(download.body());
                assertEquals(TestBackend.crcOfPattern(300_000), downloaded.getValue());

                http.send("POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: " + upload.length + "\r\n\r\n");
                http.send(upload);
                RawHttp.Response echo = http.read();
                assertEquals(200, echo.status());
                assertEquals(Integer.toString(upload.length), echo.echoed("body-bytes"));
                assertEquals(Long.toString(uploaded.getValue()), echo.echoed("body-crc"));

                RawHttp.Response again = http.exchange("GET /status/204 HTTP/1.1\r\nHost: app\r\n\r\n");
                assertEquals(204, again.status()); // the same connection, kept alive
            }
        }
    }
}
