package org.cornserve.runtime.app;

/**
 * An app: a request type, a response type, a config naming the tasks it calls, and a serve function. An app is
 * either a {@link UnaryApp} (one response) or a {@link StreamingApp} (a stream of chunks); the gateway reads the
 * request and response types from the type arguments, so both must be concrete records.
 *
 * <p>An administrator registers an app by sending the Java source of one public class implementing one of the two;
 * the gateway compiles it with the JDK compiler, checks these parts, and deploys the tasks its config names.
 *
 * @param <Req> the request record, read from the client's JSON (unknown fields are refused)
 * @param <Res> the response record (or each streamed chunk), written as JSON
 */
public sealed interface App<Req, Res> permits UnaryApp, StreamingApp {

    /** The tasks this app calls, by name. Called once, at registration. */
    AppConfig config();
}
