package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Reading bounded bodies, checking the admin token, writing JSON answers and OpenAI-style errors. */
final class HttpSupport {
    /** A request attribute set once the gateway wrote its own error, so the 404/405 fallbacks leave it alone. */
    static final String ANSWERED = "cornserve.answered";

    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final byte[] adminToken;

    HttpSupport(ObjectMapper json, long maxBodyBytes, String adminToken) {
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    }

    /** The body, refused with 413 as soon as it is known to exceed the limit (by its length header or by reading). */
    byte[] body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw new ApiError(413, "the body has " + declared + " bytes; the limit is " + maxBodyBytes);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (b.length > maxBodyBytes) {
                throw new ApiError(413, "the body exceeds the limit of " + maxBodyBytes + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new ApiError(400, "could not read the request body: " + e.getMessage());
        }
    }

    /** Throws 401 unless the request carries {@code Authorization: Bearer <admin token>}. */
    void requireAdmin(Context ctx) {
        String h = ctx.header("Authorization");
        String prefix = "Bearer ";
        boolean ok = h != null && h.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(h.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8),
                        adminToken);
        if (!ok) {
            throw new ApiError(401, h == null ? "this is an admin endpoint: send 'Authorization: Bearer <admin token>' "
                    + "(printed by cornserve serve and written to its --token-file)" : "wrong admin token");
        }
    }

    /** Writes {@code value} as JSON with {@code status}. */
    void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new ApiError(500, "could not write the response: " + e.getMessage());
        }
    }

    /** Writes an OpenAI-style error object. */
    void error(Context ctx, int status, String message) {
        ObjectNode err = json.createObjectNode();
        ObjectNode e = err.putObject("error");
        e.put("message", message);
        e.put("type", ApiError.type(status));
        e.putNull("param");
        e.put("code", Integer.toString(status));
        json(ctx, status, err);
        ctx.attribute(ANSWERED, Boolean.TRUE);
    }

    ObjectMapper mapper() {
        return json;
    }
}
