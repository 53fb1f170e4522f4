package dev.walletledger.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;

/**
 * A released version of wallet-core (a jar under {@code src/test/resources/releases}), loaded in a class
 * loader of its own: the ledger's classes and migrations come from that jar, everything else (the driver,
 * Flyway, HikariCP, the JDK) from this build. Upgrade tests write a ledger with it, then migrate and read it
 * with today's code. Calls go by reflection, by method name and argument count, since the old API is not
 * today's.
 */
public final class Release implements AutoCloseable {
    private static final String OWN = "dev.walletledger.";
    private static final String MIGRATIONS = "db/wallet-ledger";

    private final ReleaseLoader loader;

    private Release(ReleaseLoader loader) {
        this.loader = loader;
    }

    /** The release in {@code releases/wallet-core-<version>.jar}. */
    public static Release of(String version) {
        String name = "releases/wallet-core-" + version + ".jar";
        try (InputStream in = Release.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no " + name + " on the test class path");
            }
            Path jar = Files.createTempFile("wallet-core-" + version + "-", ".jar");
            jar.toFile().deleteOnExit();
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
            return new Release(new ReleaseLoader(jar.toUri().toURL(), Release.class.getClassLoader()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The release's class of this name. */
    public Class<?> type(String name) {
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A static call: {@code call("dev.walletledger.core.Operation", "topUp", "alice", ...)}. */
    public Object call(String type, String method, Object... arguments) {
        return invoke(type(type), null, method, arguments);
    }

    /** An instance call on an object of the release. */
    public Object call(Object target, String method, Object... arguments) {
        return invoke(target.getClass(), target, method, arguments);
    }

    /** A new object of the release's class {@code type}, by its constructor with this many arguments. */
    public Object create(String type, Object... arguments) {
        for (Constructor<?> constructor : type(type).getConstructors()) {
            if (constructor.getParameterCount() == arguments.length
                    && fits(constructor.getParameterTypes(), arguments)) {
                try {
                    return constructor.newInstance(arguments);
                } catch (InvocationTargetException e) {
                    throw unwrap(e);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("no constructor of " + type + " takes " + arguments.length + " arguments");
    }

    /** The release's enum constant. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object constant(String type, String name) {
        return Enum.valueOf((Class) type(type), name);
    }

    private static Object invoke(Class<?> type, Object target, String name, Object[] arguments) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name)
                    && method.getParameterCount() == arguments.length
                    && fits(method.getParameterTypes(), arguments)) {
                try {
                    return method.invoke(target, arguments);
                } catch (InvocationTargetException e) {
                    throw unwrap(e);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("no method " + name + " of " + type.getName() + " takes these arguments");
    }

    private static boolean fits(Class<?>[] parameters, Object[] arguments) {
        for (int i = 0; i < parameters.length; i++) {
            Class<?> parameter = parameters[i].isPrimitive() ? boxed(parameters[i]) : parameters[i];
            if (arguments[i] != null && !parameter.isInstance(arguments[i])) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> boxed(Class<?> primitive) {
        if (primitive == long.class) {
            return Long.class;
        }
        if (primitive == int.class) {
            return Integer.class;
        }
        if (primitive == boolean.class) {
            return Boolean.class;
        }
        return primitive;
    }

    private static RuntimeException unwrap(InvocationTargetException e) {
        return e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    }

    @Override
    public void close() throws IOException {
        loader.close();
    }

    /** The release's own classes and migrations from its jar, first; everything else from the parent. */
    private static final class ReleaseLoader extends URLClassLoader {
        ReleaseLoader(URL jar, ClassLoader parent) {
            super(new URL[] {jar}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(OWN)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = findClass(name); // never today's class of the same name
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public URL getResource(String name) {
            return name.startsWith(MIGRATIONS) ? findResource(name) : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return name.startsWith(MIGRATIONS) ? findResources(name) : super.getResources(name);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            URL url = getResource(name);
            try {
                return url == null ? null : url.openStream();
            } catch (IOException e) {
                return null;
            }
        }
    }
}
