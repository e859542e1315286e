/**
 * Listeners: the sockets Sallyport binds for applications (Dataplane outbounds and MeshExternalService
 * VIPs) and how they follow the snapshot on reload ({@link io.sallyport.listeners.ListenerManager}).
 */
package io.sallyport.listeners;
