/** The discrete-event engine that drives the shared scheduling core with profile-timed steps and modelled transfers. */
package org.cornserve.simulator.engine;
