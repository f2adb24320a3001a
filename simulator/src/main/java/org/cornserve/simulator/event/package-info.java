/** The deterministic future-event queue and the simulator's events (a sealed interface of records). */
package org.cornserve.simulator.event;
