package io.sallyport.bench.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * The package-private parts of {@code io.sallyport.core.http} the benchmarks call, reached by reflection once
 * (kept in static finals, a method handle is a constant the JIT inlines like a direct call).
 */
final class CoreHttp {

    private static final String PACKAGE = "io.sallyport.core.http.";

    private CoreHttp() {
    }

    /** A handle on the declared method {@code name} of the class {@code simpleName} of that package. */
    static MethodHandle method(String simpleName, String name, Class<?>... parameterTypes)
            throws ReflectiveOperationException {
        Method m = Class.forName(PACKAGE + simpleName).getDeclaredMethod(name, parameterTypes);
        m.setAccessible(true);
        return MethodHandles.lookup().unreflect(m);
    }

    /** The declared constructor of the class {@code simpleName} of that package, made accessible. */
    static Constructor<?> constructor(String simpleName, Class<?>... parameterTypes) throws ReflectiveOperationException {
        Constructor<?> c = Class.forName(PACKAGE + simpleName).getDeclaredConstructor(parameterTypes);
        c.setAccessible(true);
        return c;
    }
}
