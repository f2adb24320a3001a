package org.cornserve.runtime.control;

import java.util.Locale;

/**
 * The devices a runtime may use: {@code cpu:N} is N slots of this machine's CPU, each a share of its hardware
 * threads ({@code threadsPerSlot}).
 *
 * @param kind the device kind ({@code cpu})
 * @param count slots
 * @param threadsPerSlot compute threads an executor gets per slot it holds
 */
public record DeviceSlots(String kind, int count, int threadsPerSlot) {

    public DeviceSlots {
        if (!"cpu".equals(kind)) {
            throw new IllegalArgumentException("device kind '" + kind + "' is not supported here (cpu)");
        }
        if (count < 1 || threadsPerSlot < 1) {
            throw new IllegalArgumentException("devices need at least one slot of one thread, got " + count + " x "
                    + threadsPerSlot);
        }
    }

    /** Parses {@code cpu:N}; each slot gets an equal share (at least one) of the available processors. */
    public static DeviceSlots parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--devices '" + spec + "': expected KIND:COUNT such as cpu:2");
        }
        int n;
        try {
            n = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--devices '" + spec + "': the count is not a number");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--devices '" + spec + "': the count must be >= 1");
        }
        return new DeviceSlots(s.substring(0, colon), n, Math.max(1, Runtime.getRuntime().availableProcessors() / n));
    }
}
