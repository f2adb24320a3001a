/** What a simulation runs on: deployments with their cost models, the network, SLOs. */
package org.cornserve.simulator.config;
