package io.sallyport.core.admin;

/**
 * Answers one admin path. Runs on the admin event loop: read in-memory state, never block; hand slow
 * work to another thread.
 */
@FunctionalInterface
public interface AdminHandler {

    AdminResponse handle(AdminRequest request) throws Exception;
}
