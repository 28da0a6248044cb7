package io.spindle.deploy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config keys a {@code @ConfigMapping} interface declares, read from its source: top-level methods
 * and one level of nested groups ({@code Checkpoint checkpoint();} + {@code interface Checkpoint { Path dir(); }}
 * gives {@code <prefix>.checkpoint.dir}), with their {@code @WithDefault} values ("" when none).
 */
final class ConfigMappingKeys {

    private static final Pattern PREFIX = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern NESTED = Pattern.compile("\\binterface\\s+(\\w+)\\s*\\{");
    /** An optional @WithDefault, other annotations, a return type, the method name, "();". */
    private static final Pattern METHOD = Pattern.compile(
            "(?:@WithDefault\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)\\s*)?(?:@\\w+(?:\\([^)]*\\))?\\s*)*([\\w.<>, ?]+?)\\s+([a-z]\\w*)\\(\\)\\s*;");

    private ConfigMappingKeys() {
    }

    static Map<String, String> of(String source) {
        Map<String, String> keys = new LinkedHashMap<>();
        Matcher prefix = PREFIX.matcher(source);
        if (!prefix.find()) {
            return keys;
        }
        String body = stripComments(source.substring(prefix.end()));
        int open = body.indexOf('{');
        String outer = body.substring(open + 1);
        Map<String, String> nested = new LinkedHashMap<>();
        StringBuilder topLevel = new StringBuilder();
        int i = 0;
        Matcher n = NESTED.matcher(outer);
        while (n.find(i)) {
            topLevel.append(outer, i, n.start());
            int end = matchingBrace(outer, n.end() - 1);
            nested.put(n.group(1), outer.substring(n.end(), end));
            i = end + 1;
        }
        topLevel.append(outer.substring(i));
        Matcher m = METHOD.matcher(topLevel);
        while (m.find()) {
            String type = m.group(2).trim();
            String key = prefix.group(1) + "." + kebab(m.group(3));
            if (nested.containsKey(type)) {
                Matcher inner = METHOD.matcher(nested.get(type));
                while (inner.find()) {
                    keys.put(key + "." + kebab(inner.group(3)), inner.group(1) == null ? "" : inner.group(1));
                }
            } else {
                keys.put(key, m.group(1) == null ? "" : m.group(1));
            }
        }
        return keys;
    }

    private static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced braces in a @ConfigMapping source");
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)//.*$", "");
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
