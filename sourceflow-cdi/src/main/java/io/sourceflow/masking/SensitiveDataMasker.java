package io.sourceflow.masking;

import io.sourceflow.Sensitive;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders messages for logs, exception messages, dead-letter reasons and span attributes with every
 * {@link Sensitive} value masked, and removes such values from free text.
 *
 * <p>{@link #describe(Object)} shows records as {@code Type[name=value, ...]} (like their
 * {@code toString()}), other application classes by their fields in the same form, and reaches into
 * nested records, collections, maps, {@code Optional}s and arrays. JDK types (strings, numbers, dates,
 * ...) are shown by their {@code toString()}. Output is bounded: at most {@value #MAX_DEPTH} levels
 * deep, {@value #MAX_ELEMENTS} elements per collection and about {@value #MAX_LENGTH} characters;
 * an object met again on its own path is shown as {@code <cycle>}.
 *
 * <p>Thread-safe; the per-type metadata is built once per class and cached. Create one per
 * application and share it.
 */
public final class SensitiveDataMasker {

    static final int MAX_DEPTH = 8;
    static final int MAX_ELEMENTS = 50;
    static final int MAX_LENGTH = 4_096;
    /** Shorter sensitive values are not removed from free text: they would match ordinary words and numbers. */
    static final int MIN_MASKED_TEXT_LENGTH = 4;

    private static final String FULL_MASK = "***";

    private final ClassValue<TypeInfo> types = new ClassValue<>() {
        @Override
        protected TypeInfo computeValue(Class<?> type) {
            return TypeInfo.of(type);
        }
    };

    /**
     * @param message any object, usually a command or event; may be {@code null}
     * @return a log-safe rendering, e.g. {@code PlaceOrder[orderId=o-1, card=****1234, total=12.50]}
     */
    public String describe(Object message) {
        Renderer renderer = new Renderer();
        renderer.render(message, 0);
        return renderer.result();
    }

    /**
     * Removes every {@link Sensitive} value of {@code message} (its string form, if at least
     * {@value #MIN_MASKED_TEXT_LENGTH} characters long; matched ignoring case) from {@code text}, replacing
     * it by its masked form. Use it on text that may quote the message, such as an exception message.
     *
     * @param text    free text, may be {@code null}
     * @param message the message whose sensitive values must not appear; may be {@code null}
     * @return the text without the sensitive values
     */
    public String mask(String text, Object message) {
        if (text == null || text.isEmpty() || message == null) {
            return text;
        }
        Map<String, String> replacements = new LinkedHashMap<>();
        new Collector(replacements).collect(message, 0);
        if (replacements.isEmpty()) {
            return text;
        }
        return replace(text, replacements);
    }

    /**
     * A log-safe form of a failure: when the message of {@code failure}, of a cause or of a suppressed
     * exception contains a {@link Sensitive} value of {@code message}, returns a {@link MaskedFailure}
     * chain with the same class names and stack traces and masked messages; otherwise {@code failure}
     * itself. Use it before logging a handler's exception.
     *
     * @param failure an exception, may be {@code null}
     * @param message the message being handled; may be {@code null}
     * @return {@code failure}, or its masked copy
     */
    public Throwable maskFailure(Throwable failure, Object message) {
        if (failure == null || message == null) {
            return failure;
        }
        Map<String, String> replacements = new LinkedHashMap<>();
        new Collector(replacements).collect(message, 0);
        if (replacements.isEmpty() || !quotesAny(failure, replacements, java.util.Collections.newSetFromMap(new IdentityHashMap<>()))) {
            return failure;
        }
        return copy(failure, replacements, new IdentityHashMap<>());
    }

    private static boolean quotesAny(Throwable failure, Map<String, String> replacements, Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return false;
        }
        String text = failure.getMessage();
        if (text != null && !replace(text, replacements).equals(text)) {
            return true;
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            if (quotesAny(suppressed, replacements, seen)) {
                return true;
            }
        }
        return quotesAny(failure.getCause(), replacements, seen);
    }

    private static Throwable copy(Throwable failure, Map<String, String> replacements, Map<Throwable, Throwable> copies) {
        Throwable existing = copies.get(failure);
        if (existing != null) {
            return existing;
        }
        String text = failure.getMessage();
        MaskedFailure masked = new MaskedFailure(failure, text == null ? null : replace(text, replacements));
        copies.put(failure, masked);
        if (failure.getCause() != null && failure.getCause() != failure) {
            masked.initCause(copy(failure.getCause(), replacements, copies));
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            masked.addSuppressed(copy(suppressed, replacements, copies));
        }
        return masked;
    }

    private static String replace(String text, Map<String, String> replacements) {
        List<String> values = new ArrayList<>(replacements.keySet());
        values.sort(Comparator.comparingInt(String::length).reversed()); // a value containing another goes first
        String result = text;
        for (String value : values) {
            Matcher matcher = Pattern.compile(Pattern.quote(value), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                    .matcher(result);
            result = matcher.replaceAll(Matcher.quoteReplacement(replacements.get(value)));
        }
        return result;
    }

    // ------------------------------------------------------------------ masking strategies

    static String maskValue(Object value, Sensitive.Kind kind) {
        if (value == null) {
            return "null";
        }
        if (!(value instanceof CharSequence || value instanceof Number)) {
            return FULL_MASK;
        }
        String text = value.toString();
        return switch (kind) {
            case FULL -> FULL_MASK;
            case CARD -> {
                String digits = text.replaceAll("\\D", "");
                yield digits.length() >= 8 ? "****" + digits.substring(digits.length() - 4) : FULL_MASK;
            }
            case EMAIL -> {
                int at = text.lastIndexOf('@');
                yield at > 0 && at < text.length() - 1 ? FULL_MASK + text.substring(at) : FULL_MASK;
            }
        };
    }

    // ------------------------------------------------------------------ rendering

    private final class Renderer {
        private final StringBuilder out = new StringBuilder(128);
        private final Set<Object> path = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        private boolean truncated;

        String result() {
            if (out.length() > MAX_LENGTH) {
                out.setLength(MAX_LENGTH);
                truncated = true;
            }
            return truncated ? out.append("...(truncated)").toString() : out.toString();
        }

        private boolean full() {
            if (out.length() > MAX_LENGTH) {
                truncated = true;
            }
            return truncated;
        }

        void render(Object value, int depth) {
            if (full()) {
                return;
            }
            if (value == null) {
                out.append("null");
                return;
            }
            TypeInfo type = types.get(value.getClass());
            if (type.shape() == Shape.SCALAR) {
                out.append(safeToString(value));
                return;
            }
            if (depth >= MAX_DEPTH) {
                out.append("...");
                return;
            }
            if (!path.add(value)) {
                out.append("<cycle>");
                return;
            }
            try {
                switch (type.shape()) {
                    case OPTIONAL -> {
                        Optional<?> optional = (Optional<?>) value;
                        if (optional.isEmpty()) {
                            out.append("Optional.empty");
                        } else {
                            out.append("Optional[");
                            render(optional.get(), depth + 1);
                            out.append(']');
                        }
                    }
                    case COLLECTION -> renderElements(((Collection<?>) value).iterator(), ((Collection<?>) value).size(), depth);
                    case ARRAY -> renderArray(value, depth);
                    case MAP -> renderMap((Map<?, ?>) value, depth);
                    case STRUCTURE -> renderStructure(value, type, depth);
                    default -> out.append(safeToString(value));
                }
            } finally {
                path.remove(value);
            }
        }

        private void renderElements(java.util.Iterator<?> elements, int size, int depth) {
            out.append('[');
            int shown = 0;
            while (elements.hasNext() && shown < MAX_ELEMENTS && !full()) {
                if (shown++ > 0) {
                    out.append(", ");
                }
                render(elements.next(), depth + 1);
            }
            if (size > shown) {
                out.append(shown > 0 ? ", " : "").append("...(").append(size - shown).append(" more)");
            }
            out.append(']');
        }

        private void renderArray(Object array, int depth) {
            int length = Array.getLength(array);
            if (array instanceof byte[]) {
                out.append("byte[").append(length).append(']');
                return;
            }
            List<Object> elements = new ArrayList<>(Math.min(length, MAX_ELEMENTS));
            for (int i = 0; i < Math.min(length, MAX_ELEMENTS); i++) {
                elements.add(Array.get(array, i));
            }
            renderElements(elements.iterator(), length, depth);
        }

        private void renderMap(Map<?, ?> map, int depth) {
            out.append('{');
            int shown = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (shown >= MAX_ELEMENTS || full()) {
                    break;
                }
                if (shown++ > 0) {
                    out.append(", ");
                }
                render(entry.getKey(), depth + 1);
                out.append('=');
                render(entry.getValue(), depth + 1);
            }
            if (map.size() > shown) {
                out.append(shown > 0 ? ", " : "").append("...(").append(map.size() - shown).append(" more)");
            }
            out.append('}');
        }

        private void renderStructure(Object value, TypeInfo type, int depth) {
            out.append(type.name()).append('[');
            boolean first = true;
            for (Property property : type.properties()) {
                if (full()) {
                    break;
                }
                if (!first) {
                    out.append(", ");
                }
                first = false;
                out.append(property.name()).append('=');
                Object propertyValue;
                try {
                    propertyValue = property.read(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    out.append('?');
                    continue;
                }
                if (property.sensitive() != null) {
                    out.append(maskValue(propertyValue, property.sensitive()));
                } else {
                    render(propertyValue, depth + 1);
                }
            }
            out.append(']');
        }
    }

    // ------------------------------------------------------------------ collecting values for mask()

    private final class Collector {
        private final Map<String, String> replacements;
        private final Set<Object> path = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        private int visited;

        Collector(Map<String, String> replacements) {
            this.replacements = replacements;
        }

        /** Walks the message; below a sensitive property every value is sensitive. */
        void collect(Object value, int depth) {
            walk(value, depth, null);
        }

        private void walk(Object value, int depth, Sensitive.Kind sensitive) {
            if (value == null || depth > MAX_DEPTH || ++visited > MAX_LENGTH) {
                return;
            }
            TypeInfo type = types.get(value.getClass());
            if (type.shape() == Shape.SCALAR) {
                if (sensitive != null) {
                    add(safeToString(value), sensitive);
                }
                return;
            }
            if (!path.add(value)) {
                return;
            }
            try {
                switch (type.shape()) {
                    case OPTIONAL -> ((Optional<?>) value).ifPresent(v -> walk(v, depth + 1, sensitive));
                    case COLLECTION -> {
                        int n = 0;
                        for (Object element : (Collection<?>) value) {
                            if (n++ >= MAX_ELEMENTS * 20) {
                                break;
                            }
                            walk(element, depth + 1, sensitive);
                        }
                    }
                    case ARRAY -> {
                        if (value instanceof byte[]) {
                            return;
                        }
                        for (int i = 0; i < Math.min(Array.getLength(value), MAX_ELEMENTS * 20); i++) {
                            walk(Array.get(value, i), depth + 1, sensitive);
                        }
                    }
                    case MAP -> {
                        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                            walk(entry.getKey(), depth + 1, sensitive);
                            walk(entry.getValue(), depth + 1, sensitive);
                        }
                    }
                    case STRUCTURE -> {
                        for (Property property : type.properties()) {
                            Object propertyValue;
                            try {
                                propertyValue = property.read(value);
                            } catch (ReflectiveOperationException | RuntimeException e) {
                                continue;
                            }
                            walk(propertyValue, depth + 1, sensitive != null ? Sensitive.Kind.FULL : property.sensitive());
                        }
                    }
                    default -> {
                        if (sensitive != null) {
                            add(safeToString(value), sensitive);
                        }
                    }
                }
            } finally {
                path.remove(value);
            }
        }

        private void add(String text, Sensitive.Kind kind) {
            if (text.length() >= MIN_MASKED_TEXT_LENGTH) {
                replacements.merge(text, maskValue(text, kind), (a, b) -> FULL_MASK.equals(a) ? a : b);
            }
        }
    }

    private static String safeToString(Object value) {
        try {
            return String.valueOf(value);
        } catch (RuntimeException e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------ per-type metadata

    private enum Shape { SCALAR, OPTIONAL, COLLECTION, ARRAY, MAP, STRUCTURE }

    private record Property(String name, AccessibleObject member, Sensitive.Kind sensitive) {
        Object read(Object target) throws ReflectiveOperationException {
            return member instanceof Method method ? method.invoke(target) : ((Field) member).get(target);
        }
    }

    private record TypeInfo(Shape shape, String name, List<Property> properties) {

        static TypeInfo of(Class<?> type) {
            if (Optional.class == type) {
                return new TypeInfo(Shape.OPTIONAL, null, List.of());
            }
            if (Collection.class.isAssignableFrom(type)) {
                return new TypeInfo(Shape.COLLECTION, null, List.of());
            }
            if (Map.class.isAssignableFrom(type)) {
                return new TypeInfo(Shape.MAP, null, List.of());
            }
            if (type.isArray()) {
                return new TypeInfo(Shape.ARRAY, null, List.of());
            }
            if (isPlatformType(type) || type.isEnum() || type.isPrimitive()) {
                return new TypeInfo(Shape.SCALAR, null, List.of());
            }
            String name = type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
            List<Property> properties = new ArrayList<>();
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    Method accessor = component.getAccessor();
                    Sensitive sensitive = component.getAnnotation(Sensitive.class);
                    properties.add(new Property(component.getName(), accessible(accessor), sensitive == null ? null : sensitive.kind()));
                }
            } else {
                for (Class<?> c = type; c != null && c != Object.class && !isPlatformType(c); c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                            continue;
                        }
                        Sensitive sensitive = field.getAnnotation(Sensitive.class);
                        properties.add(new Property(field.getName(), accessible(field), sensitive == null ? null : sensitive.kind()));
                    }
                }
            }
            return new TypeInfo(Shape.STRUCTURE, name, List.copyOf(properties));
        }

        /** Made accessible if the module system allows; otherwise reading fails and shows {@code ?}. */
        private static <T extends AccessibleObject> T accessible(T member) {
            try {
                member.trySetAccessible();
            } catch (SecurityException ignored) {
                // reading will fail and show "?"
            }
            return member;
        }

        private static boolean isPlatformType(Class<?> type) {
            String name = type.getName();
            return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                    || name.startsWith("sun.") || name.startsWith("com.sun.");
        }
    }
}
