/** JMH benchmarks of the listener matcher and the protocol sniffers. */
package io.sallyport.bench.sni;
