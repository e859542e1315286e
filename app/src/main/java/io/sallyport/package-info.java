/** The {@code sallyport} command line entry point. */
package io.sallyport;
