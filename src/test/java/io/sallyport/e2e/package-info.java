/**
 * End-to-end tests: they run the packaged {@code app/target/sallyport.jar} as a child process (the
 * failsafe plugin of the {@code app} module runs the {@code *IT} classes after packaging) and drive it
 * through its command line, signals, admin API and sockets.
 */
package io.sallyport.e2e;
