package org.cornserve.runtime.gateway;

/**
 * The gateway's settings, as data.
 *
 * @param host the address to listen on (loopback by default)
 * @param port the port; 0 picks a free one
 * @param maxBodyBytes largest request body accepted; a larger one gets 413 before it is read whole
 * @param adminToken the bearer token {@code POST /apps} and {@code DELETE /apps/{id}} require
 */
public record GatewaySettings(String host, int port, long maxBodyBytes, String adminToken) {
    /** Request bodies up to 32 MiB: a few images or a minute of WAV, base64-encoded. */
    public static final long DEFAULT_MAX_BODY_BYTES = 32L << 20;

    public GatewaySettings {
        if (host == null || host.isBlank() || port < 0 || port > 65535 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("bad gateway settings: host " + host + ", port " + port
                    + " (0..65535), max body " + maxBodyBytes + " bytes (>= 1024)");
        }
        if (adminToken == null || adminToken.length() < 16) {
            throw new IllegalArgumentException("the admin token must have at least 16 characters");
        }
    }

    /** Loopback, the given port, the default body limit. */
    public static GatewaySettings loopback(int port, String adminToken) {
        return new GatewaySettings("127.0.0.1", port, DEFAULT_MAX_BODY_BYTES, adminToken);
    }

    /** The same settings with another body limit. */
    public GatewaySettings withMaxBodyBytes(long bytes) {
        return new GatewaySettings(host, port, bytes, adminToken);
    }

    /** A fresh random admin token: 32 hex digits from a secure random source. */
    public static String newAdminToken() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }
}
