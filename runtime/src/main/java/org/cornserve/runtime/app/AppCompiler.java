package org.cornserve.runtime.app;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles an app's Java source in memory with the JDK compiler, loads it in a class loader of its own, and checks
 * its parts: exactly one public class implementing {@link UnaryApp} or {@link StreamingApp} with concrete record
 * types as request and response, a public no-argument constructor, and a {@link AppConfig} naming its tasks.
 * Compiler errors come back with their line and column. The source compiles against this module's app API, the
 * model vocabulary and Jackson's annotations.
 */
public final class AppCompiler {
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "\\bpublic\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|record|interface|enum)"
                    + "\\s+(\\w+)");

    /**
     * A compiled and checked app.
     *
     * @param className its class
     * @param app an instance
     * @param requestType the request record
     * @param responseType the response (or chunk) record
     * @param config its tasks
     */
    public record Compiled(String className, App<?, ?> app, Class<?> requestType, Class<?> responseType,
            AppConfig config) {
        public boolean streaming() {
            return app instanceof StreamingApp;
        }
    }

    /** Compiles and checks {@code source}; throws {@link AppRejectedException} saying what is wrong. */
    public Compiled compile(String source) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new AppRejectedException(500, "this JVM has no Java compiler (run the server on a JDK, not a "
                    + "JRE)", List.of());
        }
        if (source == null || source.isBlank()) {
            throw new AppRejectedException("the body is empty; send the app's Java source");
        }
        Matcher type = PUBLIC_TYPE.matcher(source);
        if (!type.find()) {
            throw new AppRejectedException("the source declares no public top-level class; an app is one public "
                    + "class implementing UnaryApp<Request, Response> or StreamingApp<Request, Chunk>");
        }
        Matcher pkg = PACKAGE.matcher(source);
        String packageName = pkg.find() ? pkg.group(1) : "";
        String mainName = (packageName.isEmpty() ? "" : packageName + ".") + type.group(1);

        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8);
        MemoryFileManager files = new MemoryFileManager(standard);
        JavaFileObject unit = new SourceFile(mainName, source);
        List<String> options = List.of("-classpath", classPath(), "-proc:none", "-encoding", "UTF-8");
        StringWriter compilerOut = new StringWriter();
        boolean ok = compiler.getTask(compilerOut, files, diagnostics, options, null, List.of(unit)).call();
        if (!ok) {
            List<AppRejectedException.Diagnostic> errors = new ArrayList<>();
            for (javax.tools.Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR) {
                    errors.add(new AppRejectedException.Diagnostic(d.getLineNumber(), d.getColumnNumber(),
                            d.getMessage(Locale.ROOT)));
                }
            }
            StringBuilder msg = new StringBuilder("the app's source does not compile: " + errors.size() + " error"
                    + (errors.size() == 1 ? "" : "s"));
            errors.stream().limit(20).forEach(e -> msg.append("\n").append(e));
            throw new AppRejectedException(400, msg.toString(), errors);
        }
        MemoryClassLoader loader = new MemoryClassLoader(files.classes, App.class.getClassLoader());
        List<Class<?>> apps = new ArrayList<>();
        for (String name : files.classes.keySet()) {
            Class<?> c;
            try {
                c = loader.loadClass(name);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AppRejectedException("class " + name + " could not be loaded: " + e);
            }
            if (App.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                apps.add(c);
            }
        }
        if (apps.isEmpty()) {
            throw new AppRejectedException("the source has no class implementing UnaryApp or StreamingApp: an app "
                    + "needs a request type, a response type, a config() naming its tasks and a serve function");
        }
        if (apps.size() > 1) {
            throw new AppRejectedException("the source has " + apps.size() + " app classes ("
                    + String.join(", ", apps.stream().map(Class::getName).toList()) + "); register one per source");
        }
        return check(apps.get(0));
    }

    /** Checks a loaded app class (compiled from source, or built in) and instantiates it. */
    public static Compiled check(Class<?> c) {
        if (!Modifier.isPublic(c.getModifiers())) {
            throw new AppRejectedException("app class " + c.getName() + " must be public");
        }
        Type[] args = typeArguments(c);
        Class<?> request = concreteRecord(c, args[0], "request");
        Class<?> response = concreteRecord(c, args[1], StreamingApp.class.isAssignableFrom(c) ? "chunk" : "response");
        App<?, ?> app;
        try {
            Constructor<?> ctor = c.getConstructor();
            app = (App<?, ?>) ctor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new AppRejectedException("app class " + c.getName() + " needs a public no-argument constructor");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new AppRejectedException("constructing " + c.getName() + " failed: " + cause);
        }
        AppConfig config;
        try {
            config = app.config();
        } catch (RuntimeException | LinkageError e) {
            throw new AppRejectedException("config() of " + c.getName() + " failed: " + e.getMessage());
        }
        if (config == null) {
            throw new AppRejectedException("config() of " + c.getName() + " returned null; it must name the "
                    + "app's tasks, e.g. AppConfig.of(\"llm\", Task.of(\"tiny-vl\"))");
        }
        return new Compiled(c.getName(), app, request, response, config);
    }

    private static Type[] typeArguments(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Type t : k.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p
                        && (p.getRawType() == UnaryApp.class || p.getRawType() == StreamingApp.class)) {
                    return p.getActualTypeArguments();
                }
                if (t == UnaryApp.class || t == StreamingApp.class) {
                    throw new AppRejectedException(c.getName() + " implements the raw " + ((Class<?>) t).getSimpleName()
                            + "; name the request and response types: " + ((Class<?>) t).getSimpleName()
                            + "<Request, Response>");
                }
            }
        }
        throw new AppRejectedException(c.getName() + " must implement UnaryApp<Request, Response> or "
                + "StreamingApp<Request, Chunk> directly");
    }

    private static Class<?> concreteRecord(Class<?> app, Type t, String role) {
        if (!(t instanceof Class<?> k)) {
            throw new AppRejectedException(app.getName() + ": the " + role + " type must be a concrete record, got "
                    + t.getTypeName());
        }
        if (!k.isRecord()) {
            throw new AppRejectedException(app.getName() + ": the " + role + " type " + k.getName()
                    + " must be a record");
        }
        if (!Modifier.isPublic(k.getModifiers())) {
            throw new AppRejectedException(app.getName() + ": the " + role + " type " + k.getName()
                    + " must be public");
        }
        return k;
    }

    /** This module, the model module and Jackson's annotations and databind, wherever they were loaded from. */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> anchor : List.of(App.class, org.cornserve.model.Modality.class,
                com.fasterxml.jackson.annotation.JsonCreator.class,
                com.fasterxml.jackson.databind.ObjectMapper.class)) {
            try {
                var source = anchor.getProtectionDomain().getCodeSource();
                if (source != null) {
                    entries.add(Path.of(source.getLocation().toURI()).toString());
                }
            } catch (URISyntaxException | SecurityException e) {
                throw new IllegalStateException("cannot locate " + anchor + " for the app compiler's class path", e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static final class SourceFile extends SimpleJavaFileObject {
        private final String source;

        SourceFile(String className, String source) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.source = source;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
        }
    }

    private static final class MemoryFileManager extends ForwardingJavaFileManager<JavaFileManager> {
        final Map<String, ByteArrayOutputStream> classes = new LinkedHashMap<>();

        MemoryFileManager(JavaFileManager fileManager) {
            super(fileManager);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension),
                    kind) {
                @Override
                public OutputStream openOutputStream() {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    classes.put(className, out);
                    return out;
                }
            };
        }
    }

    private static final class MemoryClassLoader extends ClassLoader {
        private final Map<String, ByteArrayOutputStream> classes;

        MemoryClassLoader(Map<String, ByteArrayOutputStream> classes, ClassLoader parent) {
            super("app", parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            ByteArrayOutputStream bytes = classes.get(name);
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] b = bytes.toByteArray();
            return defineClass(name, b, 0, b.length);
        }
    }
}
