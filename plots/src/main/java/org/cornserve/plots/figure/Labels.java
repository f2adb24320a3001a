package org.cornserve.plots.figure;

import java.util.ArrayList;
import java.util.List;

/** Short category labels: names that share a prefix and suffix ("qwen2.5-vl-7b-X-8xh100") keep only what differs. */
final class Labels {
    private Labels() {
    }

    /** The labels without their shared prefix and suffix (cut at '-', '_', ' ' or '/'), unless that empties one. */
    static List<String> shorten(List<String> names) {
        if (names.size() < 2) {
            return names;
        }
        String first = names.get(0);
        int prefix = first.length();
        int suffix = first.length();
        for (String n : names) {
            prefix = Math.min(prefix, commonPrefix(first, n));
            suffix = Math.min(suffix, commonSuffix(first, n));
        }
        prefix = cutBack(first, prefix);
        suffix = cutForward(first, suffix);
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (prefix + suffix >= n.length()) {
                return names;
            }
            out.add(n.substring(prefix, n.length() - suffix));
        }
        return out.stream().distinct().count() == names.stream().distinct().count() ? out : names;
    }

    private static int commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static int commonSuffix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(a.length() - 1 - i) == b.charAt(b.length() - 1 - i)) {
            i++;
        }
        return i;
    }

    /** The longest prefix length <= n that ends just after a separator (0 when none). */
    private static int cutBack(String s, int n) {
        for (int i = n; i > 0; i--) {
            if (separator(s.charAt(i - 1))) {
                return i;
            }
        }
        return 0;
    }

    /** The longest suffix length <= n that starts with a separator (0 when none). */
    private static int cutForward(String s, int n) {
        for (int i = n; i > 0; i--) {
            if (separator(s.charAt(s.length() - i))) {
                return i;
            }
        }
        return 0;
    }

    private static boolean separator(char c) {
        return c == '-' || c == '_' || c == ' ' || c == '/';
    }

    /**
     * Label rotation: none while the longest label fits its category's width (about 6 px a character in a
     * 900 px wide plot), else vertical (XChart centres vertical labels on their ticks; slanted ones drift).
     */
    static int rotation(List<String> labels) {
        int longest = labels.stream().mapToInt(String::length).max().orElse(0);
        return labels.isEmpty() || longest * 6 <= 0.9 * 900 / labels.size() ? 0 : 90;
    }
}
