/** Routers that pick a replica of a deployment, by name through {@link org.cornserve.planner.schedule.route.Routers}. */
package org.cornserve.planner.schedule.route;
