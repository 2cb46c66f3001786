import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;

/**
 * For bench/access.sh, run with the Caravan jar on the class path (it holds nimbus-jose-jwt):
 * {@code java -cp caravan.jar bench/JwtFixture.java JWKS_FILE [COUNT]} writes a fresh RS256 key's public JWK set to
 * JWKS_FILE and prints COUNT (1) different tokens signed with it, one a line (iss https://bench.example/, aud bench,
 * valid for 2 hours, a jti each).
 */
public class JwtFixture {

    public static void main(String[] args) throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-1").generate();
        Files.writeString(Path.of(args[0]), new JWKSet(key).toString());
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        RSASSASigner signer = new RSASSASigner(key);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer("https://bench.example/")
                    .audience("bench")
                    .subject("bench-user")
                    .jwtID("bench-" + i)
                    .expirationTime(new Date(System.currentTimeMillis() + 7_200_000))
                    .claim("scope", "read")
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(signer);
            out.append(jwt.serialize()).append('\n');
        }
        System.out.print(out);
    }
}
