/**
 * The seam between the runtime's front end and back end: {@link org.cornserve.runtime.serve.ModelInvoker} takes a
 * {@link org.cornserve.runtime.serve.ModelRequest} with real inputs and streams outputs to an
 * {@link org.cornserve.runtime.serve.OutputSink}.
 */
package org.cornserve.runtime.serve;
